# One image for every wiredesk process: the API, the pipeline workers and the feed pollers.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY schemas ./schemas
COPY workers ./workers
COPY services ./services
COPY seeds ./seeds
RUN pip install -r requirements.lock && pip install --no-deps . && useradd --system --uid 10001 --home /app wiredesk
USER wiredesk
ENV WIREDESK_LOG_JSON=true
# wiredesk_build_info reports it: docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
ARG GIT_COMMIT=unknown
ENV WIREDESK_GIT_COMMIT=$GIT_COMMIT
EXPOSE 8000
# The default command is the API; compose and the manifests choose the worker command.
CMD ["uvicorn", "services.api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
