"""Assessment and monitoring: withdrawal risk, level of care, instruments, vital signs,
emergencies, taper advice and the monitoring schedule."""
