"""Fixed reference lists: GCM objectives and SDG target codes.

GCM objective titles are short labels for the 23 objectives of the Global Compact for
Safe, Orderly and Regular Migration (A/RES/73/195); a brief quoting them should use the
official text.
"""

from __future__ import annotations

import re

GCM_OBJECTIVES: dict[int, str] = {
    1: "Accurate and disaggregated data",
    2: "Minimise adverse drivers of migration",
    3: "Accurate and timely information",
    4: "Legal identity and documentation",
    5: "Regular pathways",
    6: "Fair recruitment and decent work",
    7: "Reduce vulnerabilities",
    8: "Save lives; missing migrants",
    9: "Counter migrant smuggling",
    10: "Eradicate trafficking in persons",
    11: "Integrated border management",
    12: "Screening, assessment and referral",
    13: "Detention only as a last resort",
    14: "Consular protection and assistance",
    15: "Access to basic services",
    16: "Inclusion and social cohesion",
    17: "Non-discrimination and evidence-based discourse",
    18: "Skills development and recognition",
    19: "Migrant and diaspora contributions",
    20: "Faster, safer, cheaper remittances",
    21: "Safe return and sustainable reintegration",
    22: "Portability of social security",
    23: "International cooperation and partnerships",
}

# Goal number, then a target number or letter: 10.7, 10.c, 17.18.
SDG_TARGET_PATTERN = re.compile(r"^(?P<goal>[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-e])$")


def is_sdg_target(code: str) -> bool:
    """Return whether ``code`` has the shape of an SDG target such as ``10.7``."""
    return bool(SDG_TARGET_PATTERN.match(code))
