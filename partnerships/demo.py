"""Demo records written for coopsite: organisations, systems and partnerships
drawn from public reporting on defence-industrial cooperation, covering every
kind of partnership. Figures are rounded and hedged as the press reports them;
this is demonstration content, not a reference dataset.

``load_demo_records()`` is idempotent: records are matched by slug, and each
partnership's participants, systems, sources and tags are set to what is
written here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from core.names import normalise_name
from core.signals import send_bulk_saved

from .dates import DatePrecision, PartialDate
from .models import (
    Alias,
    Bloc,
    Country,
    Organisation,
    OrganisationKind,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    PartnershipSystem,
    Source,
    System,
    SystemCategory,
    Tag,
)

K = OrganisationKind
C = SystemCategory
P = PartnershipKind
S = PartnershipStatus
R = ParticipantRole

TAGS = {
    "uncrewed-systems": ("Uncrewed systems", "Drones and other uncrewed platforms."),
    "local-production": (
        "Local production",
        "Deals that move manufacturing or assembly to the buyer's country.",
    ),
    "combat-aircraft": ("Combat aircraft", "Fighters and trainers."),
    "naval-shipbuilding": (
        "Naval shipbuilding",
        "Warships and the yards that build them.",
    ),
    "air-defence": ("Air defence", "Ground-based air and missile defence."),
    "alliances": ("Alliances", "Treaties, declarations and mutual defence pledges."),
    "special-forces": ("Special forces", "Exercises and training of special units."),
    "first-nato-buyer": (
        "First NATO buyer",
        "The first sale of a system to a member of NATO.",
    ),
    "emerging-technology": (
        "Emerging technology",
        "Artificial intelligence, quantum, hypersonics and other new fields.",
    ),
}

# slug: (name, kind, home country alpha-2, website, aliases, summary)
ORGANISATIONS = {
    "baykar": ("Baykar", K.COMPANY, "TR", "https://baykartech.com/",
               ["Baykar Technologies", "Baykar Makina"],
               "Privately owned Turkish maker of uncrewed aircraft, best known for "
               "the Bayraktar TB2 and Akıncı."),
    "turkish-aerospace": ("Turkish Aerospace", K.COMPANY, "TR", "https://www.tusas.com/",
                          ["TUSAŞ", "TAI", "Turkish Aerospace Industries"],
                          "Türkiye's main airframe company, prime contractor for KAAN "
                          "and Hürjet."),
    "aselsan": ("Aselsan", K.COMPANY, "TR", "https://www.aselsan.com/",
                ["ASELSAN"],
                "Turkish defence electronics group: radars, air defence, "
                "communications."),
    "roketsan": ("Roketsan", K.COMPANY, "TR", "https://www.roketsan.com.tr/",
                 [], "Turkish missile and rocket maker."),
    "asfat": ("ASFAT", K.STATE_ENTERPRISE, "TR", "https://www.asfat.com.tr/",
              ["Military Factory and Shipyard Management"],
              "Turkish state company running military shipyards and factories; "
              "prime contractor for Pakistan's MILGEM corvettes."),
    "stm": ("STM", K.COMPANY, "TR", "https://www.stm.com.tr/",
            ["STM Defence Technologies", "STM Savunma"],
            "Turkish defence engineering company, designer of naval platforms."),
    "otokar": ("Otokar", K.COMPANY, "TR", "https://www.otokar.com/",
               [], "Turkish maker of armoured and military vehicles."),
    "presidency-of-defence-industries": (
        "Presidency of Defence Industries", K.AGENCY, "TR", "https://www.ssb.gov.tr/",
        ["SSB", "Savunma Sanayii Başkanlığı"],
        "The Turkish government agency that procures weapons and steers the "
        "defence industry."),
    "tubitak-sage": ("TÜBİTAK SAGE", K.RESEARCH_INSTITUTE, "TR", "https://www.sage.tubitak.gov.tr/",
                     ["Defence Industries Research and Development Institute"],
                     "Turkish state research institute for guided munitions and "
                     "rocket technology."),
    "pakistan-aeronautical-complex": (
        "Pakistan Aeronautical Complex", K.STATE_ENTERPRISE, "PK", "https://www.pac.org.pk/",
        ["PAC Kamra", "PAC"],
        "Pakistan's state aircraft manufacturer at Kamra, co-producer of the JF-17."),
    "karachi-shipyard": ("Karachi Shipyard & Engineering Works", K.STATE_ENTERPRISE, "PK",
                         "https://www.karachishipyard.com.pk/",
                         ["KS&EW", "Karachi Shipyard"],
                         "Pakistan's state naval shipyard."),
    "chengdu-aircraft-corporation": (
        "Chengdu Aircraft Corporation", K.STATE_ENTERPRISE, "CN", "",
        ["CAC", "Chengdu Aircraft Industry Group"],
        "Chinese state aircraft maker, a subsidiary of AVIC, co-developer of the "
        "JF-17."),
    "korea-aerospace-industries": (
        "Korea Aerospace Industries", K.COMPANY, "KR", "https://www.koreaaero.com/",
        ["KAI"], "South Korea's main aircraft maker, prime contractor for the KF-21."),
    "hanwha-aerospace": ("Hanwha Aerospace", K.COMPANY, "KR", "https://www.hanwhaaerospace.com/",
                         [], "South Korean maker of the K9 howitzer and aircraft engines."),
    "pt-dirgantara-indonesia": (
        "PT Dirgantara Indonesia", K.STATE_ENTERPRISE, "ID", "https://indonesian-aerospace.com/",
        ["PTDI", "Indonesian Aerospace"],
        "Indonesia's state aircraft manufacturer, partner in the KF-21."),
    "dassault-aviation": ("Dassault Aviation", K.COMPANY, "FR", "https://www.dassault-aviation.com/",
                          [], "French maker of the Rafale."),
    "leonardo": ("Leonardo", K.COMPANY, "IT", "https://www.leonardo.com/",
                 ["Leonardo S.p.A."], "Italian aerospace, defence and security group."),
    "edge-group": ("EDGE Group", K.STATE_ENTERPRISE, "AE", "https://edgegroup.ae/",
                   ["EDGE"], "The United Arab Emirates' state defence conglomerate."),
    "saudi-arabian-military-industries": (
        "Saudi Arabian Military Industries", K.STATE_ENTERPRISE, "SA", "https://www.sami.com.sa/",
        ["SAMI"], "Saudi Arabia's state defence company, vehicle of its localisation "
        "target."),
    "polish-armaments-group": ("Polish Armaments Group", K.STATE_ENTERPRISE, "PL",
                               "https://www.grupapgz.pl/", ["PGZ", "Polska Grupa Zbrojeniowa"],
                               "Poland's state defence holding."),
    "turksom": ("TURKSOM", K.ARMED_FORCES, "TR", "",
                ["Turkish Task Force Command in Somalia", "Camp TURKSOM"],
                "Türkiye's military training base in Mogadishu."),
}  # fmt: skip

# slug: (name, category, origin alpha-2, maker slugs, aliases, summary)
SYSTEMS = {
    "bayraktar-tb2": ("Bayraktar TB2", C.UAV, "TR", ["baykar"],
                      ["TB2", "Bayraktar TB-2"],
                      "Medium-altitude, long-endurance armed drone."),
    "bayraktar-akinci": ("Bayraktar Akıncı", C.UAV, "TR", ["baykar"],
                         ["Akinci", "AKINCI", "Bayraktar Akinci"],
                         "Heavier, high-altitude armed drone with a larger payload."),
    "anka": ("Anka", C.UAV, "TR", ["turkish-aerospace"], ["TAI Anka", "ANKA-S"],
             "Medium-altitude, long-endurance drone."),
    "kaan": ("KAAN", C.AIRCRAFT, "TR", ["turkish-aerospace"],
             ["TF-X", "National Combat Aircraft"],
             "Twin-engine fifth-generation fighter in development."),
    "hurjet": ("Hürjet", C.AIRCRAFT, "TR", ["turkish-aerospace"], ["Hurjet"],
               "Supersonic jet trainer and light combat aircraft."),
    "t129-atak": ("T129 ATAK", C.AIRCRAFT, "TR", ["turkish-aerospace", "leonardo"],
                  ["T129", "ATAK helicopter"],
                  "Attack helicopter derived from the AgustaWestland A129."),
    "ada-class-corvette": ("Ada-class corvette", C.NAVAL_VESSEL, "TR", ["stm", "asfat"],
                           ["MILGEM", "MİLGEM", "Babur-class corvette"],
                           "Corvette of the Turkish MILGEM national warship programme; "
                           "Pakistan's are the Babur class."),
    "hisar-a": ("HİSAR-A", C.AIR_MISSILE_DEFENCE, "TR", ["aselsan", "roketsan"],
                ["Hisar-A", "HISAR-A"], "Low-altitude air-defence missile system."),
    "siper": ("SİPER", C.AIR_MISSILE_DEFENCE, "TR", ["aselsan", "roketsan", "tubitak-sage"],
              ["Siper", "SIPER"], "Long-range air and missile defence system."),
    "alp-300-g": ("ALP 300-G", C.RADAR, "TR", ["aselsan"], ["ALP-300G"],
                  "Long-range air surveillance radar."),
    "cobra-ii": ("Cobra II", C.ARMOURED_VEHICLE, "TR", ["otokar"], ["Otokar Cobra II"],
                 "Four-wheel-drive armoured vehicle."),
    "jf-17-thunder": ("JF-17 Thunder", C.AIRCRAFT, "PK",
                      ["pakistan-aeronautical-complex", "chengdu-aircraft-corporation"],
                      ["JF-17", "FC-1 Xiaolong"],
                      "Light multirole fighter developed by Pakistan and China."),
    "kf-21-boramae": ("KF-21 Boramae", C.AIRCRAFT, "KR",
                      ["korea-aerospace-industries"], ["KF-21", "KF-X", "IF-X"],
                      "4.5-generation fighter developed by South Korea with Indonesia."),
    "rafale": ("Rafale", C.AIRCRAFT, "FR", ["dassault-aviation"], ["Dassault Rafale"],
               "Twin-engine multirole fighter."),
    "k9-thunder": ("K9 Thunder", C.ARTILLERY, "KR", ["hanwha-aerospace"],
                   ["K9", "K9 howitzer", "K9PL"], "155 mm self-propelled howitzer."),
    "cn-235": ("CN-235", C.AIRCRAFT, "ID", ["pt-dirgantara-indonesia"], ["CN235"],
               "Twin-turboprop transport and maritime patrol aircraft."),
    "nuclear-powered-attack-submarine": (
        "Nuclear-powered attack submarine", C.NAVAL_VESSEL, "", [],
        ["SSN", "nuclear-powered submarine", "SSN-AUKUS"],
        "A submarine propelled by a nuclear reactor, able to stay submerged "
        "for months."),
}  # fmt: skip


def _d(text: str, estimate: bool = False) -> PartialDate:
    return PartialDate.parse(text, is_estimate=estimate)


# Each partnership: slug, name, kind, status, start, end, participants
# [(role, "country:XX" | "organisation:slug" | "bloc:slug", note)],
# systems [(slug, ordered, delivered[, {transfer data}])], tags, aliases,
# summary, sources, featured, and for exercises place=(series, location,
# latitude, longitude).
PARTNERSHIPS: list[dict[str, Any]] = [
    dict(slug="bayraktar-tb2-ukraine", name="Bayraktar TB2 sale to Ukraine",
         kind=P.EXPORT, status=S.COMPLETED, start=_d("2019-01"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:baykar", "Manufacturer"),
                       (R.RECIPIENT, "country:UA", "")],
         systems=[("bayraktar-tb2", 6, 6, {"condition": "new", "delivery_years": [2019]})],
         tags=["uncrewed-systems"], aliases=[],
         summary="Ukraine's first order for six TB2 drones with ground stations, "
                 "followed by further batches.",
         sources=[("Ukraine buys Turkish drones", "", "Press reports", "2019-01-12")],
         featured=True),
    dict(slug="bayraktar-tb2-poland", name="Bayraktar TB2 sale to Poland",
         kind=P.EXPORT, status=S.COMPLETED, start=_d("2021-05-24"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:baykar", ""),
                       (R.RECIPIENT, "country:PL", "")],
         systems=[("bayraktar-tb2", 24, 24)], tags=["uncrewed-systems", "first-nato-buyer"],
         aliases=["Polish TB2 order"],
         summary="Poland ordered 24 TB2 in four sets, the first sale of a Turkish "
                 "armed drone to a NATO member.",
         sources=[("Poland signs for Bayraktar TB2", "", "Ministry of National Defence", "2021-05-24")],
         featured=True),
    dict(slug="bayraktar-tb2-azerbaijan", name="Bayraktar TB2 sale to Azerbaijan",
         kind=P.EXPORT, status=S.COMPLETED, start=_d("2020", True), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:baykar", ""),
                       (R.RECIPIENT, "country:AZ", "")],
         systems=[("bayraktar-tb2", None, None)], tags=["uncrewed-systems"], aliases=[],
         summary="Deliveries reported in 2020; numbers were not disclosed.",
         sources=[], featured=False),
    dict(slug="bayraktar-tb2-qatar", name="Bayraktar TB2 sale to Qatar",
         kind=P.EXPORT, status=S.COMPLETED, start=_d("2018-03"), end=_d("2019", True),
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:baykar", ""),
                       (R.RECIPIENT, "country:QA", "")],
         systems=[("bayraktar-tb2", 6, 6)], tags=["uncrewed-systems"], aliases=[],
         summary="Qatar was the TB2's first export customer.", sources=[], featured=False),
    dict(slug="bayraktar-akinci-saudi-arabia", name="Bayraktar Akıncı sale to Saudi Arabia",
         kind=P.EXPORT, status=S.SIGNED, start=_d("2023-07-18"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:baykar", ""),
                       (R.RECIPIENT, "country:SA", "")],
         systems=[("bayraktar-akinci", None, None)], tags=["uncrewed-systems", "local-production"],
         aliases=[],
         summary="Described at signing as the largest export contract in Turkish "
                 "defence history, with a later phase of production in Saudi Arabia.",
         sources=[("Baykar signs export deal with Saudi Arabia", "", "Press reports", "2023-07-18")],
         featured=True),
    dict(slug="akinci-production-transfer-saudi-arabia",
         name="Akıncı production technology transfer to Saudi Arabia",
         kind=P.TECHNOLOGY_TRANSFER, status=S.PROPOSED, start=_d("2023", True), end=None,
         participants=[(R.SUPPLIER, "organisation:baykar", ""), (R.RECIPIENT, "country:SA", ""),
                       (R.PARTNER, "organisation:saudi-arabian-military-industries", "Expected local partner")],
         systems=[("bayraktar-akinci", None, None)], tags=["local-production"], aliases=[],
         summary="The co-production phase of the Akıncı deal: airframe and system "
                 "production in the kingdom, in line with its localisation target.",
         sources=[], featured=False),
    dict(slug="milgem-corvettes-pakistan", name="MILGEM corvettes for Pakistan",
         kind=P.EXPORT, status=S.ACTIVE, start=_d("2018-07"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:asfat", "Prime contractor"),
                       (R.RECIPIENT, "country:PK", "")],
         systems=[("ada-class-corvette", 4, 2)], tags=["naval-shipbuilding"],
         aliases=["PN MILGEM", "Babur-class programme"],
         summary="Four corvettes of the Babur class: two built in Istanbul, two at "
                 "Karachi. PNS Babur was commissioned in 2023.",
         sources=[("Pakistan Navy commissions PNS Babur", "", "Press reports", "2023-09-23")],
         featured=True),
    dict(slug="milgem-technology-transfer-karachi",
         name="MILGEM shipbuilding technology transfer to Karachi Shipyard",
         kind=P.TECHNOLOGY_TRANSFER, status=S.ACTIVE, start=_d("2018-07"), end=None,
         participants=[(R.SUPPLIER, "organisation:asfat", ""),
                       (R.RECIPIENT, "organisation:karachi-shipyard", "")],
         systems=[("ada-class-corvette", 2, None)], tags=["naval-shipbuilding", "local-production"],
         aliases=[],
         summary="Design data, training and supervision for building two of the four "
                 "corvettes in Pakistan.",
         sources=[], featured=False),
    dict(slug="t129-atak-pakistan", name="T129 ATAK helicopters for Pakistan",
         kind=P.EXPORT, status=S.CANCELLED, start=_d("2018-07"), end=_d("2022", True),
         participants=[(R.SUPPLIER, "country:TR", ""),
                       (R.SUPPLIER, "organisation:turkish-aerospace", ""),
                       (R.RECIPIENT, "country:PK", "")],
         systems=[("t129-atak", 30, 0)], tags=[], aliases=[],
         summary="A contract for 30 helicopters that stalled because the US-made "
                 "engine needed American export licences; reported abandoned.",
         sources=[], featured=False),
    dict(slug="jf-17-co-development", name="JF-17 Thunder co-development",
         kind=P.JOINT_DEVELOPMENT, status=S.ACTIVE, start=_d("1999-06", True), end=None,
         participants=[(R.DEVELOPER, "country:PK", ""), (R.DEVELOPER, "country:CN", ""),
                       (R.DEVELOPER, "organisation:pakistan-aeronautical-complex", ""),
                       (R.DEVELOPER, "organisation:chengdu-aircraft-corporation", "")],
         systems=[("jf-17-thunder", None, None)], tags=["combat-aircraft"], aliases=["FC-1 programme"],
         summary="Joint development and production of a light fighter, with "
                 "final assembly at Kamra.",
         sources=[], featured=True),
    dict(slug="jf-17-nigeria", name="JF-17 sale to Nigeria",
         kind=P.EXPORT, status=S.COMPLETED, start=_d("2016"), end=_d("2021-05"),
         participants=[(R.SUPPLIER, "country:PK", ""),
                       (R.SUPPLIER, "organisation:pakistan-aeronautical-complex", ""),
                       (R.RECIPIENT, "country:NG", "")],
         systems=[("jf-17-thunder", 3, 3)], tags=["combat-aircraft"], aliases=[],
         summary="Three aircraft, inducted into the Nigerian Air Force in 2021.",
         sources=[], featured=False),
    dict(slug="jf-17-azerbaijan", name="JF-17 sale to Azerbaijan",
         kind=P.EXPORT, status=S.SIGNED, start=_d("2024", True), end=None,
         participants=[(R.SUPPLIER, "country:PK", ""), (R.RECIPIENT, "country:AZ", "")],
         systems=[("jf-17-thunder", None, None)], tags=["combat-aircraft"], aliases=[],
         summary="A reported contract for JF-17 Block III fighters; the number "
                 "was not officially confirmed.",
         sources=[], featured=False),
    dict(slug="kf-21-joint-development", name="KF-21 Boramae joint development",
         kind=P.JOINT_DEVELOPMENT, status=S.ACTIVE, start=_d("2015-12"), end=None,
         participants=[(R.DEVELOPER, "country:KR", "Lead nation"),
                       (R.PARTNER, "country:ID", "Cost-sharing partner"),
                       (R.DEVELOPER, "organisation:korea-aerospace-industries", "Prime contractor"),
                       (R.PARTNER, "organisation:pt-dirgantara-indonesia", "")],
         systems=[("kf-21-boramae", None, None)], tags=["combat-aircraft"],
         aliases=["KF-X/IF-X programme"],
         summary="Indonesia agreed to fund about a fifth of development in exchange "
                 "for prototypes and technology; its share was later cut.",
         sources=[], featured=True),
    dict(slug="rafale-indonesia", name="Rafale sale to Indonesia",
         kind=P.EXPORT, status=S.ACTIVE, start=_d("2022-02-10"), end=None,
         participants=[(R.SUPPLIER, "country:FR", ""),
                       (R.SUPPLIER, "organisation:dassault-aviation", ""),
                       (R.RECIPIENT, "country:ID", "")],
         systems=[("rafale", 42, None)], tags=["combat-aircraft"], aliases=[],
         summary="42 aircraft ordered in three tranches.", sources=[], featured=False),
    dict(slug="kaan-indonesia", name="KAAN sale to Indonesia",
         kind=P.EXPORT, status=S.SIGNED, start=_d("2025-06"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""),
                       (R.SUPPLIER, "organisation:turkish-aerospace", ""),
                       (R.RECIPIENT, "country:ID", "")],
         systems=[("kaan", 48, 0)], tags=["combat-aircraft"], aliases=[],
         summary="The first export contract for KAAN, signed before the fighter "
                 "entered production.",
         sources=[], featured=True),
    dict(slug="k9-thunder-poland", name="K9 Thunder sale to Poland",
         kind=P.EXPORT, status=S.ACTIVE, start=_d("2022-08-26"), end=None,
         participants=[(R.SUPPLIER, "country:KR", ""), (R.SUPPLIER, "organisation:hanwha-aerospace", ""),
                       (R.RECIPIENT, "country:PL", ""),
                       (R.PARTNER, "organisation:polish-armaments-group", "Local production")],
         systems=[("k9-thunder", 212, None)], tags=["local-production"], aliases=[],
         summary="The first executive contract under a framework agreement, with "
                 "later batches to be built in Poland as the K9PL.",
         sources=[], featured=False),
    dict(slug="leonardo-baykar-joint-venture", name="Leonardo–Baykar uncrewed systems joint venture",
         kind=P.INDUSTRIAL_PARTNERSHIP, status=S.ACTIVE, start=_d("2025-03"), end=None,
         participants=[(R.PARTNER, "organisation:leonardo", ""), (R.PARTNER, "organisation:baykar", ""),
                       (R.PARTNER, "country:IT", ""), (R.PARTNER, "country:TR", "")],
         systems=[], tags=["uncrewed-systems"], aliases=["LBA Systems"],
         summary="A joint company to design and build uncrewed aircraft in Italy "
                 "for European customers.",
         sources=[], featured=False),
    dict(slug="pakistani-engineers-kaan", name="Pakistani engineers in the KAAN programme",
         kind=P.INDUSTRIAL_PARTNERSHIP, status=S.ACTIVE, start=_d("2022", True), end=None,
         participants=[(R.DEVELOPER, "organisation:turkish-aerospace", ""),
                       (R.PARTNER, "country:PK", "")],
         systems=[("kaan", None, None)], tags=["combat-aircraft"], aliases=[],
         summary="Turkish Aerospace has employed Pakistani engineers on KAAN, "
                 "reportedly including at an office in Pakistan.",
         sources=[], featured=False),
    dict(slug="hisar-a-deliveries-turkish-army", name="HİSAR-A serial production",
         kind=P.INDUSTRIAL_PARTNERSHIP, status=S.ACTIVE, start=_d("2021", True), end=None,
         participants=[(R.DEVELOPER, "organisation:aselsan", "Prime contractor"),
                       (R.DEVELOPER, "organisation:roketsan", "Missile"),
                       (R.RECIPIENT, "country:TR", "")],
         systems=[("hisar-a", None, None), ("alp-300-g", None, None)],
         tags=["air-defence"], aliases=[],
         summary="Aselsan and Roketsan's shared production line for Türkiye's "
                 "low-altitude air defence.",
         sources=[], featured=False),
    dict(slug="efes-2022", name="Efes-2022", kind=P.EXERCISE, status=S.COMPLETED,
         start=_d("2022-05-20"), end=_d("2022-06-09"),
         participants=[(R.HOST, "country:TR", ""), (R.PARTICIPANT, "country:AZ", ""),
                       (R.PARTICIPANT, "country:PK", ""), (R.PARTICIPANT, "country:US", ""),
                       (R.PARTICIPANT, "country:QA", "")],
         systems=[], tags=[], aliases=["EFES-2022", "Efes 2022"],
         place=("Efes", "Seferihisar and Doğanbey, İzmir, Türkiye", 38.02, 26.84),
         summary="A large combined joint exercise on the Aegean coast, with "
                 "troops and observers from dozens of countries; participants listed "
                 "here are a selection.",
         sources=[], featured=True),
    dict(slug="super-garuda-shield-2023", name="Super Garuda Shield 2023",
         kind=P.EXERCISE, status=S.COMPLETED, start=_d("2023-08-31"), end=_d("2023-09-13"),
         participants=[(R.HOST, "country:ID", ""), (R.PARTICIPANT, "country:US", ""),
                       (R.PARTICIPANT, "country:AU", ""), (R.PARTICIPANT, "country:JP", ""),
                       (R.PARTICIPANT, "country:SG", ""), (R.PARTICIPANT, "country:GB", ""),
                       (R.PARTICIPANT, "country:FR", "")],
         systems=[], tags=[], aliases=["Garuda Shield"],
         place=("Garuda Shield", "Baturaja, South Sumatra, Indonesia", -4.13, 104.17),
         summary="An Indonesian–American exercise grown into a multinational one.",
         sources=[], featured=False),
    dict(slug="three-brothers-2021", name="Three Brothers – 2021",
         kind=P.EXERCISE, status=S.COMPLETED, start=_d("2021-09-12"), end=_d("2021-09-20"),
         participants=[(R.HOST, "country:AZ", ""), (R.PARTICIPANT, "country:TR", ""),
                       (R.PARTICIPANT, "country:PK", "")],
         systems=[], tags=["special-forces"], aliases=["Three Brothers 2021", "Three Brothers"],
         place=("Three Brothers", "Baku, Azerbaijan", 40.41, 49.87),
         summary="A special-forces exercise in Baku.", sources=[], featured=False),
    dict(slug="aukus-pillar-i", name="AUKUS Pillar I",
         kind=P.TECHNOLOGY_TRANSFER, status=S.ACTIVE, start=_d("2021-09-15"), end=None,
         participants=[(R.SUPPLIER, "country:US", ""), (R.SUPPLIER, "country:GB", ""),
                       (R.RECIPIENT, "country:AU", "")],
         systems=[("nuclear-powered-attack-submarine", None, None)],
         tags=["naval-shipbuilding", "alliances"], aliases=["AUKUS submarine deal"],
         summary="The transfer of nuclear-powered submarine technology to Australia, "
                 "first by sales and rotations, then by an SSN-AUKUS class built in "
                 "Australia and the United Kingdom.",
         sources=[], featured=False),
    dict(slug="aukus-pillar-ii", name="AUKUS Pillar II",
         kind=P.RESEARCH, status=S.ACTIVE, start=_d("2021-09-15"), end=None,
         participants=[(R.PARTNER, "country:US", ""), (R.PARTNER, "country:GB", ""),
                       (R.PARTNER, "country:AU", "")],
         systems=[], tags=["emerging-technology"], aliases=["AUKUS advanced capabilities"],
         summary="Shared research on advanced capabilities: artificial intelligence, "
                 "quantum, hypersonics, undersea and electronic warfare.",
         sources=[], featured=False),
    dict(slug="nato-science-for-peace-and-security", name="NATO Science for Peace and Security Programme",
         kind=P.RESEARCH, status=S.ACTIVE, start=_d("1958", True), end=None,
         participants=[(R.PARTNER, "bloc:nato", "")],
         systems=[], tags=["emerging-technology"], aliases=["SPS Programme"],
         summary="Grants for joint research between scientists of NATO and partner "
                 "countries.",
         sources=[], featured=False),
    dict(slug="turksom-training-mission", name="TURKSOM training mission in Somalia",
         kind=P.TRAINING, status=S.ACTIVE, start=_d("2017-09-30"), end=None,
         participants=[(R.SUPPLIER, "country:TR", ""), (R.SUPPLIER, "organisation:turksom", ""),
                       (R.RECIPIENT, "country:SO", "")],
         systems=[], tags=[], aliases=["Camp TURKSOM"],
         summary="Türkiye's largest overseas military base, training Somali "
                 "soldiers and officers.",
         sources=[], featured=True),
    dict(slug="shusha-declaration", name="Shusha Declaration",
         kind=P.AGREEMENT, status=S.ACTIVE, start=_d("2021-06-15"), end=None,
         participants=[(R.PARTNER, "country:AZ", ""), (R.PARTNER, "country:TR", "")],
         systems=[], tags=["alliances"], aliases=["Shusha Declaration on Allied Relations"],
         summary="A declaration of allied relations with a mutual assistance clause "
                 "and a commitment to defence-industrial cooperation.",
         sources=[], featured=False),
    dict(slug="saudi-pakistan-mutual-defence-agreement",
         name="Saudi–Pakistani Strategic Mutual Defence Agreement",
         kind=P.AGREEMENT, status=S.SIGNED, start=_d("2025-09-17"), end=None,
         participants=[(R.PARTNER, "country:SA", ""), (R.PARTNER, "country:PK", "")],
         systems=[], tags=["alliances"], aliases=["Strategic Mutual Defense Agreement"],
         summary="A pact under which aggression against either country is treated "
                 "as aggression against both.",
         sources=[], featured=False),
    dict(slug="turkiye-uae-cepa", name="Türkiye–UAE Comprehensive Economic Partnership Agreement",
         kind=P.TRADE, status=S.ACTIVE, start=_d("2023-03-03"), end=None,
         participants=[(R.PARTNER, "country:TR", ""), (R.PARTNER, "country:AE", ""),
                       (R.PARTICIPANT, "organisation:edge-group", "Defence-industrial follow-on")],
         systems=[], tags=[], aliases=["Türkiye–UAE CEPA"],
         summary="A trade agreement cutting tariffs, followed by defence-industrial "
                 "talks between the two countries' companies.",
         sources=[], featured=False),
]  # fmt: skip


def _actor(ref: str, orgs: dict[str, Organisation]):
    kind, key = ref.split(":", 1)
    if kind == "country":
        return {"country": Country.objects.get(alpha_2=key, is_former=False)}
    if kind == "organisation":
        return {"organisation": orgs[key]}
    return {"bloc": Bloc.objects.get(slug=key)}


def _set_aliases(entity, names: list[str]) -> None:
    have = set(entity.aliases.values_list("normalised", flat=True))
    own = normalise_name(entity.name)
    for name in names:
        normalised = normalise_name(name)
        if normalised and normalised != own and normalised not in have:
            Alias.objects.create(entity=entity, name=name)
            have.add(normalised)


@transaction.atomic
def load_demo_records() -> dict[str, int]:
    """Create the demo records that are missing; returns counts by kind.
    A record already there (by its address) is left as it is, edits and
    all: running it again writes nothing, adds no history and gives the
    data no new version."""
    tags = {}
    for slug, (name, description) in TAGS.items():
        tags[slug], _ = Tag.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    countries = {c.alpha_2: c for c in Country.objects.current()}

    orgs = {}
    for slug, (name, kind, country, website, aliases, summary) in ORGANISATIONS.items():
        orgs[slug], created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "home_country": countries.get(country),
                "website": website,
                "summary": summary,
            },
        )
        if created:
            _set_aliases(orgs[slug], aliases)

    systems = {}
    for slug, (name, category, origin, makers, aliases, summary) in SYSTEMS.items():
        systems[slug], created = System.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": category,
                "origin_country": countries.get(origin),
                "summary": summary,
            },
        )
        if created:
            systems[slug].makers.set([orgs[m] for m in makers])
            _set_aliases(systems[slug], aliases)

    participants: list[int] = []
    for spec in PARTNERSHIPS:
        start, end = spec["start"], spec["end"]
        partnership, created = Partnership.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "status": spec["status"],
                "summary": spec["summary"],
                "is_featured": spec["featured"],
                "start_date": start.date if start else None,
                "start_precision": start.precision if start else DatePrecision.YEAR,
                "start_is_estimate": start.is_estimate if start else False,
                "end_date": end.date if end else None,
                "end_precision": end.precision if end else DatePrecision.YEAR,
                "end_is_estimate": end.is_estimate if end else False,
                **dict(
                    zip(
                        ("series", "location", "latitude", "longitude"),
                        spec.get("place", ("", "", None, None)),
                        strict=True,
                    )
                ),
            },
        )
        if not created:
            continue  # there already, as it may since have been edited
        written = Participant.objects.bulk_create(
            Participant(
                partnership=partnership, role=role, note=note, **_actor(ref, orgs)
            )
            for role, ref, note in spec["participants"]
        )
        participants.extend(p.pk for p in written)
        PartnershipSystem.objects.bulk_create(
            PartnershipSystem(
                partnership=partnership,
                system=systems[slug],
                quantity_ordered=ordered,
                quantity_delivered=delivered,
                **(transfer[0] if transfer else {}),
            )
            for slug, ordered, delivered, *transfer in spec["systems"]
        )
        Source.objects.bulk_create(
            Source(
                partnership=partnership,
                title=title,
                url=url,
                publisher=publisher,
                published_on=dt.date.fromisoformat(published) if published else None,
            )
            for title, url, publisher, published in spec["sources"]
        )
        partnership.tags.set([tags[t] for t in spec["tags"]])
        _set_aliases(partnership, spec["aliases"])
    # Written in bulk: the network's table is made again on commit.
    if participants:
        send_bulk_saved(Participant, participants)

    return {
        "tags": len(tags),
        "organisations": len(orgs),
        "systems": len(systems),
        "partnerships": len(PARTNERSHIPS),
    }
