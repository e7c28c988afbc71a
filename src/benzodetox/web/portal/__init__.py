"""The patient's side (/portal/): invitation accounts, today's doses, the plan's calendar, the
relapse-prevention plan and reminders. A patient account never reaches a staff page."""
