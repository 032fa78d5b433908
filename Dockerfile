FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY services ./services
COPY projections ./projections
COPY templates ./templates
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["tdkt", "serve", "--host", "0.0.0.0", "--port", "8000"]
