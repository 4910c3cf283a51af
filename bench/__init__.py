"""Benchmarks: this project against the raw groq SDK and bare httpx + json. See bench/README.md."""
