"""Monorepo tooling: discover, run, bundle and deploy the apps under apps/."""
