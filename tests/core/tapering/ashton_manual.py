"""The Ashton Manual's slow-withdrawal schedules, as test data (no tests here).

Source: Ashton CH. *Benzodiazepines: How They Work and How to Withdraw* (the Ashton Manual), revised
August 2002, chapter II "Slow withdrawal schedules", https://www.benzo.org.uk/manual/bzsched.htm.

How the figures were read (the label on each record):

- The manual's schedule page itself could not be read: no copy of it (benzo.org.uk, benzoinfo.com,
  the PDF mirrors on doczz / abcdocz / fdocuments / scribd, the German and Spanish translations) is
  held past its opening paragraphs in the stored pages the search tool reaches, and the live web is
  not reachable from here. Nothing below is labelled V.
- V2: every stage was read in one public machine-readable transcription of the schedules (a Python
  taper generator found through the code index, file id 47292274967; the index does not name its
  repository). It transcribes schedules 1, 2, 3, 5, 6 and 8 stage by stage, each stage with its
  morning / midday / night doses and a length of 1 or 2 weeks, and the links between them. Two
  further sources agree with it where they overlap: a forum thread that quotes the manual's
  schedule 2 ("Simple withdrawal from diazepam (Valium) 40mg daily", "follow this schedule to
  complete Schedule 1") and in which another poster reads the manual as 26 to 52 weeks for 40 mg
  (https://www.medhelp.org/posts/Addiction-Substance-Abuse/How-to-comfortably-taper-off-Valium/
  show/1075171); and an independent reconciliation script over another transcription (code index
  file id 60467593254) that chains schedule 1 into schedule 2 from its start, schedules 5, 7 and 8
  into schedule 3 at stage 26, and schedule 6 into schedule 5 at stage 10.
- R: the titles are descriptions written here, not the manual's words (only schedule 2's title
  was seen, in the forum quote); the shortest paths in the notes assume every 2-week stage of the
  transcription is one of the manual's "1-2 weeks" stages.

How `weeks` is counted: the sum of the lengths of every stage from the first change to the last
dose, following each "continue as schedule N" to its end, and taking the longer end of each stage's
range (the manual's longest path; the transcription gives 1 week for crossover stages and 2 weeks
for reduction stages). The starting dosage is not a stage, except where a schedule continues into
another: schedule 1 reaches schedule 2's starting dosage (diazepam 20 mg + 20 mg) after stage 13
and holds it as a 2-week stage. Schedules 3, 5, 6 and 8 end on the same tail (schedule 3 from its
stage 26): diazepam 10 mg at night for 1 week, then 9, 8 ... 1 mg at night, 2 weeks each, then
stop; the transcription gives the 10 mg stage 1 week where, as a reduction stage, the manual may
allow 1-2 weeks. `peak_diazepam_mg` is the largest daily dose of diazepam itself (not of
diazepam-equivalents) at any point of that path, the starting dosage included.

Dose times: morning 08:00, midday 14:00, night 22:00 (a night-only hypnotic would be 22:00).
Equivalents used by the schedules: alprazolam 0.5 mg = clonazepam 0.5 mg = lorazepam 1 mg =
diazepam 10 mg (the manual's own table; see ../shared/reference/drugs.md section 1).

Not here (see `UNRESOLVED`): schedules 4 and 7, and any schedule after 8, whose starting regimens
could not be read in any source reached. The transcription also carries ten regimens of its own
(alprazolam 0.5 to 3 mg and lorazepam 0.5 to 3 mg three times a day, numbered from 13) that are
not in the manual; they are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

MANUAL_URL = "https://www.benzo.org.uk/manual/bzsched.htm"

MORNING = "08:00"
MIDDAY = "14:00"
NIGHT = "22:00"


@dataclass(frozen=True)
class AshtonSchedule:
    number: str
    title: str
    regimen: tuple[tuple[str, str, str], ...]  # (drug, mg as decimal string, "HH:MM")
    substitutes_diazepam: bool
    weeks: int
    peak_diazepam_mg: str
    label: str
    url: str
    note: str


SCHEDULES: tuple[AshtonSchedule, ...] = (
    AshtonSchedule(
        number="1",
        title="Alprazolam 6 mg a day, crossover to diazepam, continuing as schedule 2",
        regimen=(
            ("alprazolam", "2", MORNING),
            ("alprazolam", "2", MIDDAY),
            ("alprazolam", "2", NIGHT),
        ),
        substitutes_diazepam=True,
        weeks=76,
        peak_diazepam_mg="50",
        label="V2",
        url=MANUAL_URL,
        note=(
            "120 mg diazepam-eq. Stages 1-4 (1 week each) swap 0.5 mg alprazolam for 10 mg "
            "diazepam, night first, then morning, keeping 120 mg-eq; from stage 5 (2 weeks each) "
            "the rest of the alprazolam is cut while diazepam stays at 50 mg (20 + 10 + 20), so "
            "the total falls 10 mg-eq a stage to 50 mg; stage 12 is 25 + 25 mg, stage 13 is "
            "20 + 25 mg, then schedule 2 from its 40 mg start (held 2 weeks) to the end. Path: "
            "4 + 9 x 2 + 2 + 26 x 2 = 76 weeks; 40 weeks if every 2-week stage is 1 week [R]."
        ),
    ),
    AshtonSchedule(
        number="2",
        title="Diazepam 40 mg a day, reduced directly (no substitution)",
        regimen=(
            ("diazepam", "20", MORNING),
            ("diazepam", "20", NIGHT),
        ),
        substitutes_diazepam=False,
        weeks=52,
        peak_diazepam_mg="40",
        label="V2",
        url=MANUAL_URL,
        note=(
            "26 stages of 2 weeks: 2 mg a stage, morning and night in turn, from 40 to 20 mg "
            "(10 + 10); then 8 + 10 and 8 + 8 mg; then the morning dose 6, 5, 4, 3, 2, 1 mg "
            "with 8 mg at night (14 down to 9 mg); then 8, 7 ... 1 mg at night only, then stop. "
            "26 to 52 weeks, as the forum thread reads the manual. Title from the forum quote: "
            "'Simple withdrawal from diazepam (Valium) 40mg daily' [V2]."
        ),
    ),
    AshtonSchedule(
        number="3",
        title="Lorazepam 6 mg a day, crossover to diazepam",
        regimen=(
            ("lorazepam", "2", MORNING),
            ("lorazepam", "2", MIDDAY),
            ("lorazepam", "2", NIGHT),
        ),
        substitutes_diazepam=True,
        weeks=65,
        peak_diazepam_mg="30",
        label="V2",
        url=MANUAL_URL,
        note=(
            "60 mg diazepam-eq. Stages 1-4 (1 week each) swap lorazepam for diazepam, night "
            "first (1 mg -> 10 mg, then 0.5 mg steps -> 5 mg), keeping 60 mg-eq; stage 5 "
            "(2 weeks) completes the night dose (diazepam 5 + 5 + 20 with lorazepam 1.5 + 1.5); "
            "stages 6-11 cut the remaining lorazepam 0.5 mg a stage (5 mg-eq) to diazepam alone, "
            "30 mg; "
            "then diazepam 2 mg a stage to 20 mg, 1 mg a stage to 11 mg (stage 25), then the "
            "shared tail from stage 26 (10 mg at night, 1 week) to 1 mg. Path: 4 + 21 x 2 + 1 + "
            "9 x 2 = 65 weeks; 35 weeks if every 2-week stage is 1 week [R]."
        ),
    ),
    AshtonSchedule(
        number="5",
        title="Clonazepam 1.5 mg a day, crossover to diazepam",
        regimen=(
            ("clonazepam", "0.5", MORNING),
            ("clonazepam", "0.5", MIDDAY),
            ("clonazepam", "0.5", NIGHT),
        ),
        substitutes_diazepam=True,
        weeks=42,
        peak_diazepam_mg="28",
        label="V2",
        url=MANUAL_URL,
        note=(
            "30 mg diazepam-eq. Stages 1-5 (1 week each) swap 0.25 mg clonazepam for 5 mg "
            "diazepam, night first, then morning and midday, keeping 30 mg-eq; stage 6 "
            "(2 weeks) drops the last clonazepam: diazepam 10 + 8 + 10 = 28 mg, the largest "
            "diazepam dose; the midday dose falls 2 mg "
            "a stage to 0 (20 mg at stage 10), then the morning dose 2 mg a stage (12 mg), then "
            "the shared tail of schedule 3 from stage 26 (10 mg at night) to 1 mg. Path: 5 + "
            "9 x 2 + 1 + 9 x 2 = 42 weeks; 24 weeks if every 2-week stage is 1 week [R]."
        ),
    ),
    AshtonSchedule(
        number="6",
        title="Clonazepam 3 mg a day, crossover to diazepam, continuing as schedule 5",
        regimen=(
            ("clonazepam", "1", MORNING),
            ("clonazepam", "1", MIDDAY),
            ("clonazepam", "1", NIGHT),
        ),
        substitutes_diazepam=True,
        weeks=55,
        peak_diazepam_mg="30",
        label="V2",
        url=MANUAL_URL,
        note=(
            "60 mg diazepam-eq. All 13 stages are 2 weeks in the transcription. Stages 1-2 swap "
            "0.5 mg clonazepam for 10 mg diazepam at night, then morning (60 mg-eq); from stage 3 "
            "the total falls 5 mg-eq a stage to 30 mg at stage 8: diazepam reaches "
            "10 + 5 + 15 = 30 mg at stage 4 and holds it while the clonazepam is cut 0.25 mg a "
            "stage, none left from stage 8; then 27.5, 27, 25, 24, 22 mg; then schedule 5 from "
            "stage 10 (20 mg) and its tail. "
            "Path: 13 x 2 + 5 x 2 + 1 + 9 x 2 = 55 weeks; 28 weeks if every 2-week stage is "
            "1 week [R]."
        ),
    ),
    AshtonSchedule(
        number="8",
        title="Lorazepam 3 mg a day, crossover to diazepam",
        regimen=(
            ("lorazepam", "1", MORNING),
            ("lorazepam", "1", MIDDAY),
            ("lorazepam", "1", NIGHT),
        ),
        substitutes_diazepam=True,
        weeks=49,
        peak_diazepam_mg="30",
        label="V2",
        url=MANUAL_URL,
        note=(
            "30 mg diazepam-eq. Stages 1-6 (1 week each) swap 0.5 mg lorazepam for 5 mg "
            "diazepam, night, morning, midday, then night, morning, midday again, ending at "
            "diazepam 10 + 10 + 10 = 30 mg; then 2 mg a stage from the midday and morning doses "
            "to 6 + 10 = 16 mg (stage 13), 1 mg a stage from the morning dose to 11 mg (stage "
            "18), "
            "then the shared tail of schedule 3 from stage 26 (10 mg at night) to 1 mg. Path: "
            "6 + 12 x 2 + 1 + 9 x 2 = 49 weeks; 28 weeks if every 2-week stage is 1 week [R]."
        ),
    ),
)

# Schedules the manual has (or may have) whose starting regimen could not be read anywhere.
UNRESOLVED: tuple[tuple[str, str], ...] = (
    (
        "4",
        "Not transcribed. The transcription keeps only its stages from stage 2 on, as the tail "
        "it shares with schedules 3, 5, 6 and 8 (diazepam 10 mg at night for 1 week, then 9 ... "
        "1 mg, 2 weeks each), which suggests a night-only regimen of about 10 mg diazepam-eq "
        "switched to diazepam in one week [R]; its drug and starting dose were not read. The "
        "reconciliation script leaves schedule 4 out of the alprazolam / lorazepam / clonazepam "
        "/ diazepam set it handles, so its drug is another one [R].",
    ),
    (
        "7",
        "Not transcribed. The reconciliation script counts it among the alprazolam / lorazepam "
        "/ clonazepam schedules and chains it into schedule 3 at stage 26 (diazepam 10 mg at "
        "night) [V2]; its drug and starting dose were not read.",
    ),
    (
        "9+",
        "Whether the manual has schedules after 8 (for other drugs, e.g. hypnotics) and what "
        "they start from could not be read in any source reached.",
    ),
)
