"""The house that features plug into: the feature registry, one unit of work per request or
command, the empty form, safe redirects and the per-request reference data."""
