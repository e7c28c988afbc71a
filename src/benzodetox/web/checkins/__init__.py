"""Between visits: the patient's dose diary, self-reported check-ins (through the core's alert
rules) and "this step is too hard" requests a prescriber answers."""
