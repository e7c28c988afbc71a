# ruff: noqa: RUF012  (migration class attributes)
"""Assessment.rater: clinician-rated (every row so far) or self-reported (portal check-ins)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0009_change_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="rater",
            field=models.CharField(
                choices=[("clinician", "Clinician-rated"), ("self", "Self-reported")],
                default="clinician",
                db_default="clinician",
                max_length=10,
            ),
        ),
    ]
