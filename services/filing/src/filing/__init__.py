"""The filing service: the register of parties and works, their examination and history."""
