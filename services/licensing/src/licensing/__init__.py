"""The licensing service: licences, availability, usage reports and royalty statements."""
