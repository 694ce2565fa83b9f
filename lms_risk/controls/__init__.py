"""Security controls (BIO 1.04 with BBN levels, BIO2, NIS2/Cbw): catalogues, implementation per
scope, links to risks and the BBN gap analysis."""
