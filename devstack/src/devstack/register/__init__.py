"""A register of millions of works in every ASEAN script, generated and loaded by one command.

    make register                                  # REGISTER_WORKS works (7,300,000) into
                                                   # filing's database (FILING_DATABASE_URL)
    .venv/bin/python -m devstack.register --works 200000 --database-url postgresql://…/scratch

Parties (writers named in each script's culture, some with IPI name numbers and ISNIs;
publishers) and works: titles of 2-5 words in Thai, Lao, Khmer, Burmese, Vietnamese,
Malay, Filipino, Chinese (Simplified and Traditional), Tamil and English, with Zipf word
frequencies (a query for "love" / "ความรัก" / "爱" matches a large part of its script, a
name from the long tail a handful), translated alternate titles, rights holders with
shares summing to 100.00, ISWCs, ISRCs and ISBNs with valid check digits, histories and
versions as filing writes them. The same seed gives the same register.

Modules: `vocabulary` (title words per script), `names` (people and publishers),
`identifiers`, `generator` (the records, streamed), `loader` (COPY into filing's tables,
indexes rebuilt after), `__main__` (the command, with a progress bar). Settings:
`REGISTER_WORKS`, `REGISTER_SEED`, `REGISTER_BATCH`, `REGISTER_MAINTENANCE_WORK_MEM`
(`RegisterSettings` in `__main__`).
"""
