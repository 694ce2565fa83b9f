"""Security controls: catalogues, implementation per scope, gap analysis."""
