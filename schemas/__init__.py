"""Record shapes of the skill-demand job: the single source of truth.

`posting` holds the input boundary (pydantic) and the row carried between stages,
`rejects` the dead-letter row, `outputs` the pyarrow schemas of every Parquet output.
"""
