"""Tests of the usage app (tests/apps/test_smoke.py opens it in Chromium too)."""
