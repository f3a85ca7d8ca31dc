"""WordprocessingML snippets: runs with the East Asian font slot set, paragraphs, table, watermark."""

from __future__ import annotations

from xml.sax.saxutils import escape

from workers.reports.fonts import OFFICIAL

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office"'
)
RED = "FF0000"
CHAR_TWIPS = 8845 / 28  # one character of the 28-character line, in twips


def rpr(font: str, size_pt: float, *, color: str | None = None) -> str:
    """Run properties naming the official font in every slot: Word takes CJK glyphs from w:eastAsia."""
    name = OFFICIAL[font]
    half_points = round(size_pt * 2)
    colour = f'<w:color w:val="{color}"/>' if color else ""
    squeeze = '<w:spacing w:val="-5"/>' if size_pt == 16 else ""
    return (
        f'<w:rPr><w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>{colour}'
        f'{squeeze}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
    )


def run(text: str, font: str = "fang", size_pt: float = 16, *, color: str | None = None) -> str:
    return f'<w:r>{rpr(font, size_pt, color=color)}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def lines_run(lines: tuple[str, ...] | list[str], font: str, size_pt: float) -> str:
    """Explicit line breaks (w:br) between the given lines, e.g. a title broken between words."""
    props = rpr(font, size_pt)
    parts = [f'<w:t xml:space="preserve">{escape(t)}</w:t>' for t in lines]
    return f"<w:r>{props}{'<w:br/>'.join(parts)}</w:r>"


def ppr(
    *,
    jc: str | None = None,
    first_chars: float | None = None,
    left_chars: float | None = None,
    line_twips: int | None = 579,
    exact: bool = True,
    before: int = 0,
    after: int = 0,
    page_break: bool = False,
    border: str = "",
    grid: bool = True,
    left: int | None = None,
    right: int | None = None,
) -> str:
    """Paragraph properties in schema order (pageBreakBefore, pBdr, autoSpace*, snapToGrid, spacing, ind,
    jc)."""
    parts = []
    if page_break:
        parts.append("<w:pageBreakBefore/>")
    parts.append(border)
    # No automatic space between Chinese and Latin/digits, as in the typst PDF and in printed 公文.
    parts.append('<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>')
    if not grid:
        parts.append('<w:snapToGrid w:val="0"/>')
    rule = "exact" if exact else "auto"
    line = f' w:line="{line_twips}" w:lineRule="{rule}"' if line_twips else ""
    parts.append(f'<w:spacing w:before="{before}" w:after="{after}"{line}/>')
    ind = []
    if left_chars is not None:
        ind.append(f'w:leftChars="{round(left_chars * 100)}" w:left="{round(left_chars * CHAR_TWIPS)}"')
    if left is not None:
        ind.append(f'w:left="{left}"')
    if right is not None:
        ind.append(f'w:right="{right}"')
    if first_chars is not None:
        ind.append(
            f'w:firstLineChars="{round(first_chars * 100)}" w:firstLine="{round(first_chars * CHAR_TWIPS)}"'
        )
    if ind:
        parts.append(f"<w:ind {' '.join(ind)}/>")
    if jc:
        parts.append(f'<w:jc w:val="{jc}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>"


def paragraph(props: str, runs: str = "") -> str:
    return f"<w:p {NS}>{props}{runs}</w:p>"


def double_rule(side: str, style: str) -> str:
    """A red double rule as a paragraph border: thickThinSmallGap (上粗下细), thinThickSmallGap (上细下粗)."""
    space = 11 if side == "bottom" else 0  # 4 mm between the 发文机关标志 and the rule
    return f'<w:pBdr><w:{side} w:val="{style}" w:sz="24" w:space="{space}" w:color="{RED}"/></w:pBdr>'


def page_number_runs(size_pt: float = 14) -> str:
    """ "— N —" with a PAGE field, 4号 宋体 (GB/T 9704 §7.5)."""
    props = rpr("song", size_pt)
    field = (
        f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{props}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{props}<w:t>1</w:t></w:r>"
        f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>'
    )
    dash = f'<w:r>{props}<w:t xml:space="preserve">{{}}</w:t></w:r>'
    return dash.format("— ") + field + dash.format(" —")


_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
)


def watermark(text: str, shape_id: int) -> str:
    """Word's own text watermark: a VML WordArt shape in the header, centred on the page, behind the text."""
    style = (
        "position:absolute;margin-left:0;margin-top:0;width:420pt;height:210pt;rotation:315;"
        "z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        "mso-position-vertical:center;mso-position-vertical-relative:margin"
    )
    shape = (
        f'<v:shape id="PowerPlusWaterMarkObject{shape_id}" o:spid="_x0000_s{2048 + shape_id}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="silver" stroked="f">'
        f'<v:fill opacity=".5"/><v:textpath style="font-family:&quot;{OFFICIAL["hei"]}&quot;;font-size:1pt" '
        f'string="{escape(text)}"/></v:shape>'
    )
    return paragraph(
        ppr(line_twips=None), f"<w:r><w:rPr><w:noProof/></w:rPr><w:pict>{_SHAPETYPE}{shape}</w:pict></w:r>"
    )


CELL_STYLES = {"KaoheTableHead": "hei", "KaoheTableCell": "fang"}


def table_styles(size_pt: float) -> list[str]:
    """Paragraph styles for table cells, so 5,000 rows do not each repeat their fonts and spacing."""
    # Single auto spacing: a cell inheriting the exact 28.95 pt body line shows no text in LibreOffice.
    props = ppr(jc="center", line_twips=240, exact=False, grid=False)
    return [
        f'<w:style {NS} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{style_id}"/><w:basedOn w:val="Normal"/>{props}{rpr(font, size_pt)}</w:style>'
        for style_id, font in CELL_STYLES.items()
    ]


def table(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], widths: list[int]) -> str:
    """A full-width table; the first row repeats on each page (w:tblHeader), no row splits across pages."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    props = (
        '<w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{border}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
        '<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    )
    heads = [
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        '<w:p><w:pPr><w:pStyle w:val="{}"/></w:pPr>'
        for w in widths
    ]
    head_open = [h.format("KaoheTableHead") for h in heads]
    cell_open = [h.format("KaoheTableCell") for h in heads]

    def row(cells: tuple[str, ...], opens: list[str], head: bool) -> str:
        tr = '<w:trPr><w:cantSplit/><w:trHeight w:val="567" w:hRule="atLeast"/>'
        tr += "<w:tblHeader/></w:trPr>" if head else "</w:trPr>"
        tcs = "".join(
            f'{o}<w:r><w:t xml:space="preserve">{escape(c)}</w:t></w:r></w:p></w:tc>'
            for c, o in zip(cells, opens, strict=True)
        )
        return f"<w:tr>{tr}{tcs}</w:tr>"

    body = "".join(row(r, cell_open, False) for r in rows)
    return f"<w:tbl {NS}>{props}<w:tblGrid>{grid}</w:tblGrid>{row(columns, head_open, True)}{body}</w:tbl>"
