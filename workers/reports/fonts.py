"""Fonts: the official names written into DOCX/XLSX, and the free font files that typst embeds in the PDF.

Each role lists the licensed font first (used when a deployment drops it into a directory named by
KAOHE_FONT_DIRS), then free substitutes that scripts/system-deps.sh installs.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import typst

FONT_DIRS_ENV = "KAOHE_FONT_DIRS"
INSTALL_HINT = "run `bash scripts/system-deps.sh` (as root)"


class MissingFontError(RuntimeError):
    """No font is available for a role; the message names the font and how to install one."""


@dataclass(frozen=True, slots=True)
class FontRole:
    key: str
    official: str  # written in w:eastAsia and in XLSX cells
    purpose: str
    candidates: tuple[tuple[str, int], ...]  # (typst family, weight) in order of preference
    install: str


ROLES = (
    FontRole("title", "方正小标宋简体", "发文机关标志、标题 (小标宋)",
             (("FZXiaoBiaoSong-B05S", 400), ("Noto Serif CJK SC", 700)),
             "Debian package fonts-noto-cjk (Noto Serif CJK SC Bold)"),
    FontRole("fang", "仿宋_GB2312", "正文 (仿宋)",
             (("FangSong_GB2312", 400), ("FangSong", 400), ("FandolFang R", 400), ("FandolFang", 400)),
             "FandolFang, extracted from Debian's texlive-lang-chinese"),
    FontRole("hei", "黑体", "一级标题、附件标识 (黑体)",
             (("SimHei", 400), ("Noto Sans CJK SC", 400), ("FandolHei", 400)),
             "Debian package fonts-noto-cjk (Noto Sans CJK SC)"),
    FontRole("kai", "楷体_GB2312", "二级标题 (楷体)",
             (("KaiTi_GB2312", 400), ("KaiTi", 400), ("FandolKai", 400)),
             "FandolKai, extracted from Debian's texlive-lang-chinese"),
    FontRole("song", "宋体", "页码 (宋体)",
             (("SimSun", 400), ("Noto Serif CJK SC", 400), ("FandolSong", 400)),
             "Debian package fonts-noto-cjk (Noto Serif CJK SC)"),
)  # fmt: skip

OFFICIAL = {role.key: role.official for role in ROLES}


@dataclass(frozen=True, slots=True)
class FontSet:
    families: dict[str, tuple[str, int]]  # role key → (family, weight)
    font_paths: tuple[str, ...]
    book: typst.Fonts  # scanned once per process, handed to every compile

    def family(self, key: str) -> str:
        return self.families[key][0]


def font_dirs() -> tuple[str, ...]:
    raw = os.environ.get(FONT_DIRS_ENV, "")
    return tuple(d for d in raw.split(os.pathsep) if d and Path(d).is_dir())


def resolve_fonts() -> FontSet:
    return _resolve(font_dirs())


@functools.cache
def _resolve(dirs: tuple[str, ...]) -> FontSet:
    book = typst.Fonts(font_paths=list(dirs))
    available = {(f.family.casefold(), f.weight) for f in book.fonts()}
    families: dict[str, tuple[str, int]] = {}
    for role in ROLES:
        found = next(((fam, w) for fam, w in role.candidates if (fam.casefold(), w) in available), None)
        if found is None:
            wanted = ", ".join(f"{fam} (weight {w})" for fam, w in role.candidates)
            raise MissingFontError(
                f"no font for {role.official} — {role.purpose}: none of [{wanted}] is installed. "
                f"Install {role.install}: {INSTALL_HINT}; or put a licensed {role.official} font file in a "
                f"directory named by {FONT_DIRS_ENV}."
            )
        families[role.key] = found
    return FontSet(families, dirs, book)


def fontconfig_aliases(fonts: FontSet) -> str:
    """A fontconfig file mapping the official names to the resolved fonts, for LibreOffice or poppler."""
    aliases = "".join(
        f'  <alias binding="same"><family>{role.official}</family>'
        f"<prefer><family>{fonts.family(role.key)}</family></prefer></alias>\n"
        for role in ROLES
    )
    dirs = "".join(f"  <dir>{d}</dir>\n" for d in fonts.font_paths)
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n{dirs}{aliases}</fontconfig>\n'
    )
