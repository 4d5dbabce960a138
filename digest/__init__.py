"""digest: bilingual conference paper roundups from curated YAML."""
