"""Exchange formats built on core objects (JSON, FHIR, iCalendar, CSV); no Django here."""
