# One image for every Kaohe process (api, worker, beat, migrate); compose.yaml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KAOHE_DATA_DIR=/data

WORKDIR /app
# The free CJK fonts the report renderer embeds (Noto CJK, and Fandol's 仿宋/楷体 taken from Debian's
# texlive-lang-chinese without installing TeX Live); licensed fonts can be added via KAOHE_FONT_DIRS.
COPY scripts/system-deps.sh ./scripts/
RUN KAOHE_SYSTEM_DEPS=runtime bash scripts/system-deps.sh && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY services ./services
COPY workers ./workers
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 kaohe \
    && mkdir -p /data && chown kaohe /data

USER kaohe
EXPOSE 8000
# Embedded defaults (SQLite and a filesystem broker in /data) when run on its own.
CMD ["kaohe", "serve", "--host", "0.0.0.0", "--port", "8000"]
