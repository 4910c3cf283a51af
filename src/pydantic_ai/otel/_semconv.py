"""Names from the OpenTelemetry semantic conventions that the instrumentation uses, copied as plain strings.

They are those of `opentelemetry-semantic-conventions` 0.66b2 (schema 1.44.0, GenAI conventions in development);
the runtime dependency is `opentelemetry-api` only, and `tests/otel/test_otel_semconv.py` checks every name here
against the installed conventions package (a dev dependency).
"""

from __future__ import annotations

from typing import Final

SCHEMA_URL: Final = 'https://opentelemetry.io/schemas/1.44.0'

# Span attributes (gen_ai_attributes, server_attributes, error_attributes, http_attributes).
GEN_AI_OPERATION_NAME: Final = 'gen_ai.operation.name'
GEN_AI_PROVIDER_NAME: Final = 'gen_ai.provider.name'
GEN_AI_SYSTEM: Final = 'gen_ai.system'
GEN_AI_REQUEST_MODEL: Final = 'gen_ai.request.model'
GEN_AI_REQUEST_TEMPERATURE: Final = 'gen_ai.request.temperature'
GEN_AI_REQUEST_MAX_TOKENS: Final = 'gen_ai.request.max_tokens'
GEN_AI_REQUEST_TOP_P: Final = 'gen_ai.request.top_p'
GEN_AI_REQUEST_SEED: Final = 'gen_ai.request.seed'
GEN_AI_REQUEST_STOP_SEQUENCES: Final = 'gen_ai.request.stop_sequences'
GEN_AI_REQUEST_PRESENCE_PENALTY: Final = 'gen_ai.request.presence_penalty'
GEN_AI_REQUEST_FREQUENCY_PENALTY: Final = 'gen_ai.request.frequency_penalty'
GEN_AI_REQUEST_STREAM: Final = 'gen_ai.request.stream'
GEN_AI_RESPONSE_MODEL: Final = 'gen_ai.response.model'
GEN_AI_RESPONSE_ID: Final = 'gen_ai.response.id'
GEN_AI_RESPONSE_FINISH_REASONS: Final = 'gen_ai.response.finish_reasons'
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: Final = 'gen_ai.response.time_to_first_chunk'
GEN_AI_USAGE_INPUT_TOKENS: Final = 'gen_ai.usage.input_tokens'
GEN_AI_USAGE_OUTPUT_TOKENS: Final = 'gen_ai.usage.output_tokens'
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: Final = 'gen_ai.usage.reasoning.output_tokens'
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: Final = 'gen_ai.usage.cache_read.input_tokens'
GEN_AI_INPUT_MESSAGES: Final = 'gen_ai.input.messages'
GEN_AI_OUTPUT_MESSAGES: Final = 'gen_ai.output.messages'
GEN_AI_SYSTEM_INSTRUCTIONS: Final = 'gen_ai.system_instructions'
GEN_AI_TOKEN_TYPE: Final = 'gen_ai.token.type'
SERVER_ADDRESS: Final = 'server.address'
SERVER_PORT: Final = 'server.port'
ERROR_TYPE: Final = 'error.type'
HTTP_RESPONSE_STATUS_CODE: Final = 'http.response.status_code'

# Attribute values (GenAiOperationNameValues, GenAiTokenTypeValues).
OPERATION_CHAT: Final = 'chat'
TOKEN_TYPE_INPUT: Final = 'input'
TOKEN_TYPE_OUTPUT: Final = 'output'

# Metrics (gen_ai_metrics).
GEN_AI_CLIENT_TOKEN_USAGE: Final = 'gen_ai.client.token.usage'
GEN_AI_CLIENT_OPERATION_DURATION: Final = 'gen_ai.client.operation.duration'
GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: Final = 'gen_ai.client.operation.time_to_first_chunk'

# Not in the conventions: our own attribute for a stream the consumer left early (or a cancelled task).
PYDANTIC_AI_CANCELLED: Final = 'pydantic_ai.request.cancelled'
# Not in the conventions either: seconds the request waited for its provider's rate limiter, when it waited.
PYDANTIC_AI_RATE_LIMIT_WAIT: Final = 'pydantic_ai.rate_limit.wait'
