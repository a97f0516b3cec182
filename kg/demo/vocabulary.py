"""What the demo partnership is made of: boroughs, sectors, professions, titles, forums, names.

Modelled on the seed studies (see ``docs/domain.md``): three boroughs served by one acute
trust, one community trust, one mental health trust and one commissioner, each borough with its
own adult social care department, GP practices and voluntary organisations.
"""

from __future__ import annotations

from datetime import date

BOROUGHS = ("Westbridge", "Northvale", "Eastmere")

START, END = date(2013, 1, 1), date(2019, 12, 31)

# The longitudinal case: four phases over seven years.
PHASES = (
    ("PH1", "Formal commissioning", date(2013, 1, 1), date(2014, 6, 30)),
    ("PH2", "Devolved multidisciplinary experimentation", date(2014, 7, 1), date(2016, 6, 30)),
    ("PH3", "Top-down reversal", date(2016, 7, 1), date(2017, 12, 31)),
    ("PH4", "Joint venture", date(2018, 1, 1), date(2019, 12, 31)),
)

# Share of the partnership's staff in each sector.
SECTOR_SHARE = {
    "acute": 0.34,
    "community": 0.20,
    "mental_health": 0.12,
    "social_care": 0.18,
    "primary_care": 0.11,
    "voluntary": 0.04,
    "commissioner": 0.01,
}

# Expected ties per person-role to people in *other* organisations: the planted silos are the
# sectors with the lowest values (acute and mental health), the open ones voluntary and
# commissioning, as in the seed studies.
OPENNESS = {
    "acute": 0.12,
    "mental_health": 0.10,
    "community": 0.35,
    "social_care": 0.30,
    "primary_care": 0.55,
    "voluntary": 2.50,
    "commissioner": 3.00,
}

# Relative chance that a cross-organisation tie lands in each sector, by source sector. Acute and
# community care rarely meet directly: that gap is what brokers bridge.
SECTOR_AFFINITY = {
    "acute": {"community": 0.4, "social_care": 0.6, "primary_care": 1.0, "mental_health": 0.3,
              "voluntary": 0.3, "commissioner": 0.3},
    "community": {"acute": 0.4, "social_care": 1.0, "primary_care": 1.5, "mental_health": 0.5,
                  "voluntary": 0.8, "commissioner": 0.3},
    "mental_health": {"acute": 0.3, "community": 0.5, "social_care": 1.0, "primary_care": 1.0,
                      "voluntary": 0.6, "commissioner": 0.3},
    "social_care": {"acute": 0.6, "community": 1.0, "mental_health": 1.0, "primary_care": 0.8,
                    "voluntary": 1.2, "commissioner": 0.4},
    "primary_care": {"acute": 1.0, "community": 1.5, "mental_health": 0.8, "social_care": 0.8,
                     "voluntary": 0.6, "commissioner": 0.6},
    "voluntary": {"acute": 0.5, "community": 1.0, "mental_health": 0.8, "social_care": 1.5,
                  "primary_care": 0.8, "commissioner": 0.6},
    "commissioner": {"acute": 1.0, "community": 1.0, "mental_health": 1.0, "social_care": 1.0,
                     "primary_care": 1.5, "voluntary": 0.6},
}

# Front-line staff by sector: (profession, weight, title, role kind).
STAFF = {
    "acute": (
        ("nurse", 8, "Staff nurse", "clinical"),
        ("consultant", 2, "Consultant physician", "clinical"),
        ("doctor", 2, "Specialty doctor", "clinical"),
        ("physiotherapist", 1.5, "Physiotherapist", "clinical"),
        ("occupational_therapist", 1.5, "Occupational therapist", "clinical"),
        ("pharmacist", 0.7, "Ward pharmacist", "clinical"),
        ("healthcare_assistant", 3, "Healthcare assistant", "support"),
        ("administrator", 1, "Ward clerk", "administrative"),
    ),
    "community": (
        ("district_nurse", 5, "District nurse", "clinical"),
        ("community_matron", 1, "Community matron", "clinical"),
        ("physiotherapist", 1.5, "Community physiotherapist", "clinical"),
        ("occupational_therapist", 2, "Community occupational therapist", "clinical"),
        ("healthcare_assistant", 2, "Healthcare assistant", "support"),
        ("administrator", 1, "Team administrator", "administrative"),
    ),
    "mental_health": (
        ("mental_health_nurse", 5, "Community psychiatric nurse", "clinical"),
        ("psychiatrist", 1.2, "Consultant psychiatrist", "clinical"),
        ("psychologist", 1.2, "Clinical psychologist", "clinical"),
        ("social_worker", 1.5, "Approved mental health professional", "clinical"),
        ("support_worker", 2, "Support worker", "support"),
        ("administrator", 0.8, "Team administrator", "administrative"),
    ),
    "social_care": (
        ("social_worker", 5, "Social worker", "clinical"),
        ("occupational_therapist", 1.5, "Social care occupational therapist", "clinical"),
        ("care_manager", 2, "Care manager", "clinical"),
        ("home_care_worker", 3, "Reablement worker", "support"),
        ("administrator", 1, "Business support officer", "administrative"),
    ),
    "primary_care": (
        ("gp", 3, "General practitioner", "clinical"),
        ("practice_nurse", 2, "Practice nurse", "clinical"),
        ("pharmacist", 0.5, "Practice pharmacist", "clinical"),
        ("receptionist", 2.5, "Receptionist", "administrative"),
    ),
    "voluntary": (
        ("support_worker", 3, "Support worker", "support"),
        ("hospice_nurse", 1, "Hospice nurse", "clinical"),
        ("volunteer_coordinator", 1, "Volunteer coordinator", "administrative"),
    ),
    "commissioner": (
        ("commissioning_manager", 2, "Commissioning manager", "managerial"),
        ("analyst", 1, "Performance analyst", "administrative"),
    ),
}

# The middle manager of a team, by sector: (profession, title, role kind). Hybrid
# clinical-managerial middle managers are the brokers of the seed studies.
TEAM_LEADER = {
    "acute": (("nurse", "Ward manager", "hybrid"),
              ("occupational_therapist", "Therapy team lead", "hybrid"),
              ("nurse", "Discharge coordinator", "hybrid")),
    "community": (("district_nurse", "District nursing team leader", "hybrid"),
                  ("occupational_therapist", "Community therapy lead", "hybrid")),
    "mental_health": (("mental_health_nurse", "Community mental health team manager", "hybrid"),),
    "social_care": (("social_worker", "Social work team manager", "hybrid"),
                    ("occupational_therapist", "Reablement team manager", "hybrid")),
    "primary_care": (("manager", "Practice manager", "managerial"),),
    "voluntary": (("manager", "Service manager", "managerial"),),
    "commissioner": (("commissioning_manager", "Head of commissioning", "managerial"),),
}

# Senior managers and executives, by sector: (profession, title, level).
SENIOR = {
    "acute": (("manager", "Divisional general manager", "senior"),
              ("consultant", "Clinical director", "senior")),
    "community": (("manager", "Head of community services", "senior"),
                  ("district_nurse", "Associate director of nursing", "senior")),
    "mental_health": (("manager", "Service director", "senior"),
                      ("psychiatrist", "Clinical director", "senior")),
    "social_care": (("manager", "Head of adult social care", "senior"),),
    "primary_care": (("gp", "GP partner", "senior"),),
    "voluntary": (("manager", "Chief officer", "senior"),),
    "commissioner": (("manager", "Director of commissioning", "senior"),),
}

EXECUTIVE = {
    "acute": "Chief executive", "community": "Chief executive", "mental_health": "Chief executive",
    "social_care": "Director of adult social services", "commissioner": "Accountable officer",
}

# Team names by sector (numbered when reused).
TEAM_NAMES = {
    "acute": ("Acute medical unit", "Elderly care ward", "Stroke unit", "Orthopaedic ward",
              "Respiratory ward", "Emergency department", "Acute therapy team", "Surgical ward",
              "Cardiology ward", "Frailty unit"),
    "community": ("District nursing team", "Community therapy team", "Intermediate care team",
                  "Community rehabilitation team", "Rapid response team"),
    "mental_health": ("Community mental health team", "Older people's mental health team",
                      "Crisis resolution team", "Inpatient ward"),
    "social_care": ("Hospital social work team", "Community social work team", "Reablement team",
                    "Occupational therapy service", "Safeguarding team"),
    "commissioner": ("Commissioning team",),
}

FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Priya", "Aisha", "Tom", "Ruth", "Daniel", "Grace", "Mohammed",
    "Fatima", "Liam", "Chloe", "Oluwaseun", "Siobhán", "Megan", "Hannah", "James", "Emily", "Ravi",
    "Joanna", "Kwame", "Zofia", "Lucy", "Nathan", "Bethan", "Owen", "Amara", "Harriet", "Ibrahim",
    "Niamh", "Ewan", "Mei", "Tariq", "Rosa", "Gareth", "Yasmin", "Connor", "Imogen", "Dev",
    "Sophie", "Marcus", "Ana", "Callum", "Leah", "Rhys", "Ayesha", "Patrick", "Elif", "Jonah",
)
LAST_NAMES = (
    "Morgan", "Patel", "Okafor", "Smith", "Jones", "Williams", "Khan", "O'Neill", "Brown", "Taylor",
    "Davies", "Evans", "Ahmed", "Nowak", "Thomas", "Roberts", "Hughes", "Begum", "Walker", "Wright",
    "Mensah", "Green", "Hall", "Wood", "Clarke", "Hussain", "Lewis", "Edwards", "Kaur", "Jackson",
    "Scott", "Murphy", "Adeyemi", "Kowalski", "Chen", "Price", "Bennett", "Ali", "Harris", "Ward",
)

# Interventions with known effects, so "what worked" can be scored against truth.json:
# (id, name, kind, date, what it targets, the effect planted). The Discharge Forums and the OD
# coaching day are the forums above; the OT collaborative is planted for the purpose.
OT_COLLABORATIVE = ("F-OT-ACUTE-COMMUNITY", "Acute and community OT collaborative",
                    date(2015, 4, 1))
OT_COLLABORATIVE_SIZE = 6  # occupational therapists from each of acute and community care
INTERVENTIONS = (
    ("INT-DISCHARGE", "Discharge Forums launched", "new_forum", date(2014, 3, 1),
     "positive: forum members tie up across organisations in the year after"),
    ("INT-OT-COLLAB", OT_COLLABORATIVE[1], "new_forum", OT_COLLABORATIVE[2],
     "positive: acute and community OTs who were not tied form ties within four months"),
    ("INT-OD-COACHING", "OD coaching day", "training", date(2016, 3, 8),
     "none: no tie among the day's attendees was planted after it"),
)
