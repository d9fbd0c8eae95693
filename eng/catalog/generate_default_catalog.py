#!/usr/bin/env python3
"""Generate AiCostGuard's bundled default price catalog from LiteLLM's price table.

Usage (from the repository root):

    python3 eng/catalog/generate_default_catalog.py \
        LITELLM_JSON [OUTPUT_JSON]

LITELLM_JSON is a LiteLLM model_prices_and_context_window.json (the repository
keeps the snapshot the catalog was made from in
tests/data/litellm/model_prices_and_context_window.json). OUTPUT_JSON defaults
to src/AiCostGuard/Pricing/DefaultPriceCatalog.json under the repository root.
Paths given on the command line are relative to the current directory.

Source data: LiteLLM model_prices_and_context_window.json, MIT licence,
(c) Berri AI. Standard library only.

Fields: base rates, cache read and write (5-minute, 1-hour), reasoning, audio and
image token prices, the per-request fee, *_above_{N}k_tokens long-context tiers and
the _flex / _priority / _batches service tiers (with their own long-context tiers),
and the supports_* flags routing reads as capabilities.

Price rule: LiteLLM stores USD per token as floats. Each value is converted with
Decimal(repr(value)) * 1_000_000 and normalised, so 2.5e-06 becomes exactly 2.5
(never 2.4999999999999996); numbers are written without exponent notation.
"""

import json
import os
import re
import sys
from decimal import Decimal

SYNC_DATE = "2026-07-24"
SOURCE = (
    "LiteLLM model_prices_and_context_window.json (MIT, (c) Berri AI), "
    "synced " + SYNC_DATE
)
CURRENCY = "USD"

# The litellm_provider value each of our providers' entries must carry. Guards
# against picking up a reseller's (Bedrock, Vertex, Azure...) price by mistake.
EXPECTED_LITELLM_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",  # Gemini Developer API (gemini/ prefix), not Vertex AI
    "mistral": "mistral",
    "meta": "meta_llama",
}

# Curated entries: (provider, LiteLLM key to read, catalog key to write).
# Catalog keys are the bare, lower-case model names users pass to the SDKs.
ENTRIES = [
    # --- OpenAI (bare keys) ---
    ("openai", "gpt-5.6", "gpt-5.6"),
    ("openai", "gpt-5.5", "gpt-5.5"),
    ("openai", "gpt-5.4", "gpt-5.4"),
    ("openai", "gpt-5.4-mini", "gpt-5.4-mini"),
    ("openai", "gpt-5.4-nano", "gpt-5.4-nano"),
    ("openai", "gpt-5.2", "gpt-5.2"),
    ("openai", "gpt-5.1", "gpt-5.1"),
    ("openai", "gpt-5", "gpt-5"),
    ("openai", "gpt-5-mini", "gpt-5-mini"),
    ("openai", "gpt-5-nano", "gpt-5-nano"),
    ("openai", "gpt-4.1", "gpt-4.1"),
    ("openai", "gpt-4.1-mini", "gpt-4.1-mini"),
    ("openai", "gpt-4.1-nano", "gpt-4.1-nano"),
    ("openai", "gpt-4o", "gpt-4o"),
    ("openai", "gpt-4o-mini", "gpt-4o-mini"),
    ("openai", "o4-mini", "o4-mini"),
    ("openai", "o3", "o3"),
    ("openai", "o3-mini", "o3-mini"),
    ("openai", "o1", "o1"),
    ("openai", "gpt-4-turbo", "gpt-4-turbo"),
    ("openai", "gpt-3.5-turbo", "gpt-3.5-turbo"),
    # Embeddings models: input only (LiteLLM gives them an output price of 0).
    ("openai", "text-embedding-3-small", "text-embedding-3-small"),
    ("openai", "text-embedding-3-large", "text-embedding-3-large"),
    ("openai", "text-embedding-ada-002", "text-embedding-ada-002"),
    # --- Anthropic (dateless catalog keys; LiteLLM key dated where no alias exists) ---
    ("anthropic", "claude-opus-5", "claude-opus-5"),
    ("anthropic", "claude-opus-4-8", "claude-opus-4-8"),
    ("anthropic", "claude-opus-4-7", "claude-opus-4-7"),
    ("anthropic", "claude-opus-4-6", "claude-opus-4-6"),
    ("anthropic", "claude-opus-4-5", "claude-opus-4-5"),
    ("anthropic", "claude-opus-4-1", "claude-opus-4-1"),
    ("anthropic", "claude-opus-4-20250514", "claude-opus-4"),
    ("anthropic", "claude-sonnet-5", "claude-sonnet-5"),
    ("anthropic", "claude-sonnet-4-6", "claude-sonnet-4-6"),
    ("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4"),
    ("anthropic", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet"),
    ("anthropic", "claude-haiku-4-5", "claude-haiku-4-5"),
    # --- Google: Gemini Developer API entries (gemini/ prefix) ---
    ("google", "gemini/gemini-3.1-pro-preview", "gemini-3.1-pro-preview"),
    ("google", "gemini/gemini-3.6-flash", "gemini-3.6-flash"),
    ("google", "gemini/gemini-3.5-flash", "gemini-3.5-flash"),
    ("google", "gemini/gemini-3.5-flash-lite", "gemini-3.5-flash-lite"),
    ("google", "gemini/gemini-3.1-flash-lite", "gemini-3.1-flash-lite"),
    ("google", "gemini/gemini-2.5-pro", "gemini-2.5-pro"),
    ("google", "gemini/gemini-2.5-flash", "gemini-2.5-flash"),
    ("google", "gemini/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
    ("google", "gemini/gemini-2.0-flash", "gemini-2.0-flash"),
    # --- Mistral (mistral/ prefix) ---
    ("mistral", "mistral/mistral-large-latest", "mistral-large-latest"),
    ("mistral", "mistral/mistral-medium-latest", "mistral-medium-latest"),
    ("mistral", "mistral/mistral-small-latest", "mistral-small-latest"),
    ("mistral", "mistral/codestral-latest", "codestral-latest"),
]

# Wanted but not priced in LiteLLM at the sync date (the meta_llama/ entries carry
# context windows only). Not emitted; the script prints a notice if they gain
# prices so they can be moved into ENTRIES.
UNPRICED_WATCHLIST = [
    ("meta", "meta_llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
     "llama-4-maverick-17b-128e-instruct-fp8"),
    ("meta", "meta_llama/Llama-4-Scout-17B-16E-Instruct-FP8",
     "llama-4-scout-17b-16e-instruct-fp8"),
    ("meta", "meta_llama/Llama-3.3-70B-Instruct", "llama-3.3-70b-instruct"),
]

MILLION = Decimal(1000000)


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def per_million(litellm_key, field, value):
    if not is_number(value):
        fail("LiteLLM key '%s': '%s' is not a number (%r)" % (litellm_key, field, value))
    if value < 0:
        fail("LiteLLM key '%s': '%s' is negative (%r)" % (litellm_key, field, value))
    # repr() gives the shortest string that round-trips the float, e.g. '2.5e-06'.
    return (Decimal(repr(value)) * MILLION).normalize()


# (LiteLLM field stem, catalog field) for the token rates, in catalog order.
RATE_KEYS = [
    ("input_cost_per_token", "inputPerMillion"),
    ("cache_read_input_token_cost", "cachedInputPerMillion"),
    ("cache_creation_input_token_cost", "cacheWritePerMillion"),
    ("cache_creation_input_token_cost_above_1hr", "cacheWriteOneHourPerMillion"),
    ("output_cost_per_token", "outputPerMillion"),
    ("output_cost_per_reasoning_token", "reasoningPerMillion"),
]
EXTRA_KEYS = [
    ("input_cost_per_audio_token", "audioInputPerMillion"),
    ("output_cost_per_audio_token", "audioOutputPerMillion"),
    ("input_cost_per_image_token", "imageInputPerMillion"),
]
# LiteLLM's supports_* flags that routing reads, and the catalog's capability names.
CAPABILITY_FLAGS = [
    ("supports_function_calling", "tools"),
    ("supports_vision", "imageInput"),
    ("supports_response_schema", "jsonSchema"),
    ("supports_reasoning", "reasoning"),
]
# LiteLLM's service-tier suffixes and the catalog's tier names.
SERVICE_TIERS = [("_flex", "flex"), ("_priority", "priority"), ("_batches", "batch")]
ABOVE = re.compile(r"^(?P<stem>.+)_above_(?P<k>\d+)k_tokens(?P<tier>_flex|_priority|_batches)?$")


def optional_rates(litellm_key, src, suffix, keys):
    rates = {}
    for stem, name in keys:
        field = stem + suffix
        if src.get(field) is not None:
            rates[name] = per_million(litellm_key, field, src[field])
    return rates


def long_context(litellm_key, src, suffix):
    """The *_above_{N}k_tokens variants (for one service tier) as long-context tiers above N*1000 input tokens."""
    by_threshold = {}
    stems = dict(RATE_KEYS)
    for field, value in src.items():
        match = ABOVE.match(field)
        if not match or (match.group("tier") or "") != suffix or match.group("stem") not in stems:
            continue
        threshold = int(match.group("k")) * 1000
        tier = by_threshold.setdefault(threshold, {"aboveInputTokens": threshold})
        tier[stems[match.group("stem")]] = per_million(litellm_key, field, value)
    return [by_threshold[t] for t in sorted(by_threshold)]


def token_count(litellm_key, field, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        fail("LiteLLM key '%s': '%s' is not a positive integer (%r)" % (litellm_key, field, value))
    return value


def build_entry(provider, litellm_key, data):
    if provider not in EXPECTED_LITELLM_PROVIDER:
        fail("unknown provider '%s' for LiteLLM key '%s'" % (provider, litellm_key))
    if litellm_key not in data:
        fail("LiteLLM key '%s' not found in the price table" % litellm_key)
    src = data[litellm_key]
    if not isinstance(src, dict):
        fail("LiteLLM key '%s' is not an object" % litellm_key)
    for field in ("input_cost_per_token", "output_cost_per_token"):
        if src.get(field) is None:
            fail("LiteLLM key '%s' has no '%s'" % (litellm_key, field))
    actual = src.get("litellm_provider")
    expected = EXPECTED_LITELLM_PROVIDER[provider]
    if actual != expected:
        fail("LiteLLM key '%s' has litellm_provider '%s', expected '%s'"
             % (litellm_key, actual, expected))

    entry = {
        "provider": provider,
        "inputPerMillion": per_million(litellm_key, "input_cost_per_token",
                                       src["input_cost_per_token"]),
    }
    entry.update(optional_rates(litellm_key, src, "", RATE_KEYS[1:4]))
    entry["outputPerMillion"] = per_million(litellm_key, "output_cost_per_token",
                                            src["output_cost_per_token"])
    entry.update(optional_rates(litellm_key, src, "", RATE_KEYS[5:] + EXTRA_KEYS))
    if src.get("input_cost_per_request") is not None:
        entry["requestFee"] = (Decimal(repr(src["input_cost_per_request"]))).normalize()
    tiers = long_context(litellm_key, src, "")
    if tiers:
        entry["longContextTiers"] = tiers
    for suffix, name in SERVICE_TIERS:
        tier = optional_rates(litellm_key, src, suffix, RATE_KEYS)
        tier_long = long_context(litellm_key, src, suffix)
        if tier_long:
            tier["longContextTiers"] = tier_long
        if tier:
            entry[name] = tier
    if src.get("max_output_tokens") is not None:
        entry["maxOutputTokens"] = token_count(litellm_key, "max_output_tokens",
                                               src["max_output_tokens"])
    elif src.get("max_tokens") is not None:
        entry["maxOutputTokens"] = token_count(litellm_key, "max_tokens", src["max_tokens"])
    if src.get("max_input_tokens") is not None:
        entry["contextWindow"] = token_count(litellm_key, "max_input_tokens",
                                             src["max_input_tokens"])
    capabilities = [name for flag, name in CAPABILITY_FLAGS if src.get(flag) is True]
    if any(isinstance(src.get(flag), bool) for flag, _ in CAPABILITY_FLAGS):
        entry["capabilities"] = capabilities
    return entry


def render(value, indent=0):
    """Serialise str/int/Decimal/dict/list as JSON with 2-space indent, no exponents."""
    pad = "  " * indent
    if isinstance(value, list):
        if not value:
            return "[]"
        items = ["%s  %s" % (pad, render(v, indent + 1)) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            "%s  %s: %s" % (pad, json.dumps(k, ensure_ascii=False), render(v, indent + 1))
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "e" in text.lower():
            raise AssertionError("exponent in number: " + text)
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError("cannot serialise %r" % (value,))


def main(argv):
    repo_root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    if len(argv) < 2 or len(argv) > 3:
        fail("usage: generate_default_catalog.py LITELLM_JSON [OUTPUT_JSON]")
    input_path = argv[1]
    output_path = argv[2] if len(argv) > 2 else os.path.join(
        repo_root, "src", "AiCostGuard", "Pricing", "DefaultPriceCatalog.json")

    try:
        with open(input_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read LiteLLM price table '%s': %s" % (input_path, e))
    if not isinstance(data, dict):
        fail("LiteLLM price table '%s' is not a JSON object" % input_path)

    models = {}
    for provider, litellm_key, catalog_key in ENTRIES:
        if catalog_key != catalog_key.lower() or "/" in catalog_key:
            fail("catalog key '%s' (from '%s') must be lower-case without a provider prefix"
                 % (catalog_key, litellm_key))
        if catalog_key in models:
            fail("duplicate catalog key '%s' (from '%s')" % (catalog_key, litellm_key))
        models[catalog_key] = build_entry(provider, litellm_key, data)

    for provider, litellm_key, catalog_key in UNPRICED_WATCHLIST:
        src = data.get(litellm_key)
        if isinstance(src, dict) and src.get("input_cost_per_token") is not None \
                and src.get("output_cost_per_token") is not None:
            print("notice: '%s' now has prices; consider adding it to ENTRIES as '%s'"
                  % (litellm_key, catalog_key), file=sys.stderr)

    ordered = dict(sorted(models.items(), key=lambda kv: (kv[1]["provider"], kv[0])))
    catalog = {"source": SOURCE, "currency": CURRENCY, "models": ordered}

    out_dir = os.path.dirname(os.path.abspath(output_path))
    os.makedirs(out_dir, exist_ok=True)
    text = render(catalog) + "\n"
    json.loads(text)  # sanity: output must be valid JSON
    with open(output_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

    print("wrote %d models to %s" % (len(ordered), output_path))
    print("%-26s %-10s %10s %10s %10s %9s %9s" % (
        "model", "provider", "input", "cached", "output", "maxOut", "context"))
    for key, m in ordered.items():
        print("%-26s %-10s %10s %10s %10s %9s %9s" % (
            key, m["provider"], render(m["inputPerMillion"]),
            render(m["cachedInputPerMillion"]) if "cachedInputPerMillion" in m else "-",
            render(m["outputPerMillion"]),
            m.get("maxOutputTokens", "-"), m.get("contextWindow", "-")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
