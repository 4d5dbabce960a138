"""Source parsers: one module per metadata source, turning its records into PaperMeta."""
