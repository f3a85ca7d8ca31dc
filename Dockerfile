# One image for every Kaohe process (api, worker, beat, migrate); compose.yaml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KAOHE_DATA_DIR=/data

WORKDIR /app
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
