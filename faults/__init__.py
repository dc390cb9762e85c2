"""The fault suite (`make faults`): workload, nemesis, checker and their runner."""
