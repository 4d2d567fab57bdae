"""Stylesheets connectkit serves: ``bootstrap_subset`` (``make bootstrap-subset``)."""
