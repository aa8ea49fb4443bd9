"""Data in and out: checking X, the column layout, per-class scaling, missing cells, pixels."""
