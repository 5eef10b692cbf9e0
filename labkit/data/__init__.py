"""Stage « finding datasets »: reading files, Data Packages, the catalogue, open data, schemas, the learner's dataset choice."""
