"""The JSON API (django-ninja, /api/v1/), FHIR R4 endpoints (/fhir/R4/) and CDS Hooks services
(/cds-services): thin adapters over the core and interop/fhir; per-programme API tokens."""
