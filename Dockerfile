# The Carebridge API with the Neo4j driver. Built by docker-compose.yml (see docs/neo4j.md):
#   docker compose up -d
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Only what the package needs: tests, notebooks and benchmarks stay out (.dockerignore).
COPY pyproject.toml README.md ./
COPY kg ./kg
COPY api ./api
RUN pip install ".[neo4j]"

# Run unprivileged; /data holds the embedded store (if used), bundles and outputs.
RUN useradd --create-home --uid 10001 carebridge \
    && mkdir -p /data \
    && chown carebridge /data
USER carebridge
ENV KG_DATA_DIR=/data \
    KG_OUTPUT_DIR=/data/out
VOLUME ["/data"]

EXPOSE 8000
# A TCP check: it holds with or without API keys (the HTTP routes may ask for one).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 3)"]

# 0.0.0.0 so the published port reaches it; set KG_API_KEYS, or only the container itself
# (localhost) is served.
CMD ["kg", "serve", "--host", "0.0.0.0", "--port", "8000"]
