"""Demo articles written for coopsite, and the staff who wrote them.

Eight published essays, one in review, one draft and one scheduled for next
week, so the demo shows every state an article can be in. Idempotent:
articles are matched by slug and rewritten to what is here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.signals import send_bulk_saved
from images.demo import demo_picture
from partnerships.models import Tag

from .linking import article_scan_mentions
from .models import (
    Article,
    ArticleEntityLink,
    ArticleStatus,
    LinkState,
    RevisionAction,
)
from .services import record_revision

AUTHORS = {
    "leyla.aydin": ("Leyla", "Aydın", "Editors", "Covers the Turkish defence industry and its exports."),
    "omar.siddiqui": ("Omar", "Siddiqui", "Editors", "Writes on South Asian and Gulf security."),
    "hana.kim": ("Hana", "Kim", "Researchers", "Curates the partnership records; writes on Asia-Pacific industry."),
}  # fmt: skip

DEMO_EDITOR = "leyla.aydin"

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "how-the-tb2-redrew-the-map-of-drone-exports",
        "lead_image": "drone",
        "title": "How the TB2 Redrew the Map of Drone Exports",
        "standfirst": "A mid-sized Turkish company sold a mid-sized drone to more than "
        "thirty countries. The reasons say as much about buyers as about the aircraft.",
        "authors": ["leyla.aydin"],
        "tags": ["uncrewed-systems"],
        "days_ago": 2,
        "body": """\
For most of the last two decades, an armed drone was something a country either built itself or asked Washington for, and Washington mostly said no. The **Bayraktar TB2** changed that arithmetic. Built by Baykar, a family firm outside Istanbul, it is slower and smaller than the American Reaper, carries four small guided bombs rather than Hellfire missiles, and costs a fraction as much.

## The first customers

Qatar was the first buyer, in 2018, and Ukraine followed with an order for six aircraft in early 2019. Azerbaijan's TB2s were the most photographed: in the autumn of 2020 the drones became the emblem of a short war, and the footage did more marketing than any trade fair.

What the customers had in common was not ideology but a problem. Each wanted a strike capability quickly, without the conditions and delays of the American export system, and each was willing to accept a less capable aircraft to get one.

## A NATO member signs

The sale that changed how the TB2 was seen was Poland's. In May 2021 Warsaw ordered 24 aircraft in four sets, making it the first member of NATO to buy a Turkish armed drone. Poland has no shortage of American suppliers; it chose the TB2 because it could have it soon, and because Ankara offered training and support without a queue.

## What the buyers bought

An export is rarely only an aircraft. The TB2 comes with ground control stations, training for pilots and maintainers, spare parts and, increasingly, local assembly or maintenance. For Baykar each sale is the start of a relationship, and the heavier **Akıncı**, sold to Saudi Arabia with a promise of production in the kingdom, shows where that relationship leads: from a purchase to an industrial partnership.

The lesson for other exporters is uncomfortable. Türkiye did not win these customers with the best drone. It won them with an available one, offered on terms that treated the buyer as a partner rather than a risk.
""",
    },
    {
        "slug": "pakistan-and-turkiye-from-corvettes-to-combat-jets",
        "title": "Pakistan and Türkiye: From Corvettes to Combat Jets",
        "standfirst": "Shipyards in Istanbul and Karachi now build the same warship. "
        "The next step, a shared fighter, is harder.",
        "authors": ["omar.siddiqui", "leyla.aydin"],
        "tags": ["naval-shipbuilding", "combat-aircraft"],
        "days_ago": 6,
        "body": """\
In 2018 Pakistan ordered four corvettes from Türkiye's MILGEM programme. The contract was unusual in its shape: two ships would be built in Istanbul and two at Karachi Shipyard & Engineering Works, with the Turkish state company ASFAT as prime contractor and teacher.[^steps] PNS *Babur*, the first of the Babur class, was commissioned in 2023.

## A shipyard learns

The Karachi half of the order is the part that matters most. Building a modern warship means more than welding steel: it means managing thousands of drawings, integrating combat systems from several suppliers and testing them at sea. Karachi Shipyard has done it before with Chinese designs, but the MILGEM order gives it a second school, and Turkish engineers have spent years in Karachi to make it work.

## The helicopter that did not come

Not everything has worked. A 2018 contract for 30 **T129 ATAK** attack helicopters stalled because the helicopter's engine is American, and the United States did not grant the licences to re-export it.[^licence] The episode taught both countries the limits of a partnership built on components neither controls.

## KAAN and the JF-17

Pakistan's air force flies the JF-17 Thunder, developed with China and assembled at the Pakistan Aeronautical Complex in Kamra. It knows the value of co-development and its costs. Türkiye's fifth-generation fighter, KAAN, offers a different partner and a more ambitious aircraft, and Turkish Aerospace has employed Pakistani engineers on the programme.

Whether Pakistan becomes a partner in KAAN, a customer, or neither will depend on money more than friendship. A fighter programme demands decades of funding; the corvettes show what the two countries can do when the object is smaller and the schedule shorter.

[^steps]: Shipbuilders call this a transfer of technology in steps: the first ships are built by the seller, the next by the buyer with the seller's engineers beside them.

[^licence]: A weapon with a part made under American export rules needs an American licence for that part whoever builds the rest, and again for each new buyer.
""",
    },
    {
        "slug": "building-fighters-together-the-kf-21-and-shared-risk",
        "title": "Building Fighters Together: The KF-21 and the Economics of Shared Risk",
        "standfirst": "Indonesia joined South Korea's fighter programme to buy its way "
        "into aerospace. A decade on, the bargain has been renegotiated.",
        "authors": ["hana.kim"],
        "tags": ["combat-aircraft"],
        "days_ago": 11,
        "body": """\
When South Korea launched the KF-X fighter programme, it looked for a partner to share the bill. Indonesia signed up in 2015, agreeing to pay about a fifth of development costs. In return, Jakarta would receive a prototype, technical data and work for its engineers, and PT Dirgantara Indonesia would learn to build parts of a modern combat aircraft.

## The promise and the payments

Joint development spreads risk, but it also spreads the difficulty of paying. Indonesia fell behind on its contributions almost from the start, and in 2024 the partners agreed to cut its share sharply, with a correspondingly smaller transfer of technology. Korea Aerospace Industries carried on; the **KF-21 Boramae** flew in 2022 and entered production.

## Shopping elsewhere

Meanwhile Indonesia kept buying. It ordered 42 Rafale fighters from France in 2022, and in 2025 it signed for 48 of Türkiye's KAAN, a fighter that had not yet entered production. A buyer that spreads its orders across three suppliers is either hedging or bargaining, and Indonesia is probably doing both.

## What shared risk buys

The KF-21 story is a reminder that co-development is a financial instrument as much as an industrial one. A junior partner pays to learn, and if it stops paying it stops learning. For South Korea the partnership still did its job: it bound an export customer to the programme early and spread the bill at the moment it was heaviest.
""",
    },
    {
        "slug": "local-production-is-the-new-offset",
        "title": "Local Production Is the New Offset",
        "standfirst": "Buyers no longer settle for offsets. They want the factory.",
        "authors": ["omar.siddiqui"],
        "tags": ["local-production"],
        "days_ago": 15,
        "body": """\
Offsets, the promises of investment and purchases that once sweetened arms deals, were notoriously hard to enforce. Today's buyers ask for something they can see: a production line in their own country.

## Riyadh's target

Saudi Arabia has set itself the goal of spending half of its military budget at home. Its state champion, Saudi Arabian Military Industries (SAMI), is meant to be the vehicle. When the kingdom signed for the Bayraktar Akıncı drone in 2023, the headline was the size of the contract, but the detail that mattered to Riyadh was the second phase: production in Saudi Arabia.

## Warsaw's howitzers

Poland's huge orders from South Korea follow the same pattern. The first contract for 212 K9 Thunder howitzers with Hanwha Aerospace was for Korean-built guns delivered fast; later batches are meant to be built in Poland as the K9PL with the Polish Armaments Group. Speed first, industry later.

## Abu Dhabi's conglomerate

The United Arab Emirates built EDGE Group by merging two dozen companies, then went looking for partners. Its trade agreement with Türkiye in 2023 opened the way to defence-industrial talks between the two countries' firms.

## The catch

A factory is not a capability. Local production can mean final assembly of imported kits, or it can mean design authority and a supply chain. Buyers tend to announce the first and hope for the second; sellers tend to promise the second and deliver the first. The records in this database try to say which is which.
""",
    },
    {
        "slug": "exercises-as-diplomacy",
        "title": "Exercises as Diplomacy: What Efes and Garuda Shield Rehearse",
        "standfirst": "Multinational exercises train soldiers. They also show who "
        "stands next to whom.",
        "authors": ["leyla.aydin"],
        "tags": ["special-forces"],
        "days_ago": 20,
        "body": """\
Every large exercise has two audiences: the troops who take part and the governments who watch. **Efes-2022**, hosted by Türkiye on the Aegean coast, brought soldiers and observers from dozens of countries, among them Azerbaijan, Pakistan, Qatar and the United States.

## Growing a bilateral drill

Super Garuda Shield began as a bilateral exercise between Indonesia and the United States. By 2023 it had grown to include Australia, Japan, Singapore, the United Kingdom and France. For Jakarta, which prizes its non-alignment, hosting many partners at once is safer than standing close to one.

## Brothers in Baku

Smaller exercises can say more. In September 2021 special forces from Azerbaijan, Türkiye and Pakistan trained together in Baku in an exercise called **Three Brothers**. The name was the message. The three countries' defence ties, in drones, ships and training, rest on a political closeness that the exercise made visible.

## Reading the participant list

For researchers, exercises are a useful record precisely because they are public. A country that sends troops to an exercise is telling its neighbours something. The partnership records here list exercises with their hosts and participants, so that a reader can follow one country through the years and see whom it trains beside.
""",
    },
    {
        "slug": "aukus-pillar-ii-and-the-politics-of-shared-research",
        "title": "AUKUS Pillar II and the Politics of Shared Research",
        "standfirst": "The submarines get the headlines. The research pillar may last longer.",
        "authors": ["hana.kim"],
        "tags": ["emerging-technology"],
        "days_ago": 27,
        "body": """\
When Australia, the United Kingdom and the United States announced AUKUS in September 2021, attention went to Pillar I: nuclear-powered submarines for Australia, a transfer of technology the United States had made only once before. Pillar II, a commitment to develop advanced capabilities together, got a paragraph.

## What Pillar II covers

Pillar II brings together work on artificial intelligence, quantum technologies, hypersonic weapons, undersea systems and electronic warfare. Its hardest problem is not science but paperwork: export controls written to keep technology inside one country have to be loosened to let it move among three.

## Research as alliance

Scientific cooperation has long been part of alliances. The NATO Science for Peace and Security Programme has funded joint research since the 1950s, often with partner countries outside the alliance. What is new is the intent to share work on the technologies that will decide the next generation of weapons, rather than on problems at their edge.

## The test

The measure of Pillar II will be whether a researcher in Adelaide can work on a problem with a colleague in Bristol as easily as with one down the corridor. Until the rules allow that, shared research will remain a declaration rather than a practice.
""",
    },
    {
        "slug": "training-missions-and-the-long-game-turksom",
        "title": "Training Missions and the Long Game: TURKSOM in Mogadishu",
        "standfirst": "Türkiye's largest overseas base is a school. What it teaches "
        "is influence.",
        "authors": ["leyla.aydin"],
        "tags": [],
        "days_ago": 34,
        "body": """\
In September 2017 Türkiye opened a military training base in Mogadishu, known as TURKSOM. It was built to train Somali soldiers and officers, and by Turkish accounts thousands have passed through it.

## Why train

Training is the least glamorous kind of defence cooperation and one of the most durable. Officers trained in a country's doctrine tend to prefer its equipment, speak its military language and call its officers when they need help. An export deal lasts as long as its spare parts; a training relationship can last a career.

## From school to supplier

Somalia has since received Turkish equipment, and Turkish companies have followed the soldiers. The sequence is familiar from older powers: first the instructors, then the equipment, then the contracts for maintenance and upgrades.

## Counting what is hard to count

Training missions are hard to put in a database. There is no unit price and no delivery year. The records here treat them as partnerships of kind *training*, with a supplier and a recipient and a start date, and link them to the articles that discuss them, so that the long game at least leaves a trace.
""",
    },
    {
        "slug": "declarations-and-alliances-from-shusha-to-riyadh",
        "lead_image": "signing",
        "body_images": ["map"],
        "title": "Declarations and Alliances: From Shusha to Riyadh",
        "standfirst": "Two defence pacts signed four years apart show how alliances "
        "are being made outside the old blocs.",
        "authors": ["omar.siddiqui"],
        "tags": ["alliances"],
        "days_ago": 40,
        "body": """\
In June 2021 the presidents of Azerbaijan and Türkiye signed the **Shusha Declaration** in the town that had just changed hands in the 2020 war. It committed the two countries to come to each other's aid and to deepen their defence-industrial cooperation. In September 2025 Saudi Arabia and Pakistan went further, signing a Strategic Mutual Defence Agreement under which an attack on one is treated as an attack on both.

## Outside the blocs

Neither pact belongs to an existing alliance. Türkiye is a member of NATO; Azerbaijan, Pakistan and Saudi Arabia are not. All four are members of the Organisation of Islamic Cooperation, which has no military arm. The new agreements are bilateral, specific and built on relationships that already existed in arms sales, training and exercises.

## From paper to practice

A declaration is only as strong as the cooperation behind it. Azerbaijan's forces fly Turkish drones and train with Turkish officers; Pakistani troops have long served in Saudi Arabia. The pacts write down what the partnerships had already built.

## What to watch

The records here link each agreement to the partnerships around it. If the Saudi–Pakistani pact is followed by joint production or shared programmes, it will have been more than a signal; if not, it will join the long list of declarations that mattered most on the day they were signed.
""",
    },
    {
        "slug": "air-defence-at-home-hisar-and-siper",
        "title": "Air Defence at Home: HİSAR and SİPER",
        "standfirst": "Türkiye is building its own layered air defence. Exports may follow.",
        "authors": ["leyla.aydin"],
        "tags": ["air-defence"],
        "status": ArticleStatus.REVIEW,
        "body": """\
Aselsan and Roketsan share the work on HİSAR-A, a low-altitude system now in serial production, and on SİPER, a long-range system meant to give Türkiye an alternative to imported air defence. TÜBİTAK SAGE contributes to the missiles.

Draft for review: add the ALP 300-G radar and the export prospects.
""",
    },
    {
        "slug": "the-cn-235-and-indonesias-aerospace-ambitions",
        "title": "The CN-235 and Indonesia's Aerospace Ambitions",
        "standfirst": "Four decades of building a transport aircraft taught Indonesia "
        "what co-production can and cannot do.",
        "authors": ["hana.kim"],
        "tags": [],
        "status": ArticleStatus.DRAFT,
        "body": """\
The CN-235 was designed jointly by Spain's CASA and Indonesia's aircraft maker, now PT Dirgantara Indonesia, in the 1980s.

Notes: compare with the KF-21 partnership.
""",
    },
    {
        "slug": "the-k9-and-polands-rearmament",
        "title": "The K9 and Poland's Rearmament",
        "standfirst": "Poland is buying faster than any European state since the Cold "
        "War. South Korea is the main beneficiary.",
        "authors": ["omar.siddiqui"],
        "tags": ["local-production"],
        "scheduled_in_days": 7,
        "body": """\
Poland's orders from South Korea, from K9 Thunder howitzers to tanks and light fighters, were signed in months rather than years. Hanwha Aerospace and the Polish Armaments Group plan to build later batches in Poland.

The speed of the deals is the story: Warsaw wanted equipment in 2022, not in 2030.
""",
    },
]


@transaction.atomic
def _demo_authors() -> dict[str, Any]:
    """Create the demo authors (who cannot log in) in their groups."""
    User = get_user_model()
    users = {}
    for username, (first, last, group, bio) in AUTHORS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "bio": bio,
                "is_staff": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if (group_obj := Group.objects.filter(name=group).first()) is not None:
            user.groups.add(group_obj)
        users[username] = user
    return users


def load_demo_articles() -> dict[str, int]:
    """Create the demo authors and articles that are missing; returns
    counts. An article already there (by its address) is left as it is."""
    users = _demo_authors()
    now = timezone.now().replace(second=0, microsecond=0)
    tags = {tag.slug: tag for tag in Tag.objects.all()}
    counts = {"published": 0, "scheduled": 0, "unpublished": 0}
    for spec in ARTICLES:
        status = spec.get("status", ArticleStatus.PUBLISHED)
        if "scheduled_in_days" in spec:
            published_at = now + dt.timedelta(days=spec["scheduled_in_days"])
            counts["scheduled"] += 1
        elif status == ArticleStatus.PUBLISHED:
            published_at = now - dt.timedelta(days=spec["days_ago"])
            counts["published"] += 1
        else:
            published_at = None
            counts["unpublished"] += 1
        if Article.objects.filter(slug=spec["slug"]).exists():
            continue  # there already, as it may since have been edited
        article = Article(slug=spec["slug"])
        article.title = spec["title"]
        article.standfirst = spec["standfirst"]
        article.lead_image = (
            demo_picture(spec["lead_image"], user=users[DEMO_EDITOR])
            if "lead_image" in spec
            else None
        )
        article.body = spec["body"]
        for key in spec.get("body_images", []):
            # A picture from the library after the body's first paragraph.
            picture = demo_picture(key, user=users[DEMO_EDITOR])
            first, _, rest = article.body.partition("\n\n")
            article.body = f"{first}\n\n![](image:{picture.pk})\n\n{rest}"
        article.status = status
        article.published_at = published_at
        article.save()
        article.authors.set([users[name] for name in spec["authors"]])
        article.tags.set([tags[slug] for slug in spec["tags"] if slug in tags])
        article_scan_mentions(article=article)
        record_revision(
            article=article,
            user=users[spec["authors"][0]],
            action=RevisionAction.CREATED,
        )
        if status == ArticleStatus.PUBLISHED:
            # The demo's editor has already confirmed the published articles'
            # links; drafts keep their suggestions for you to decide.
            suggested = list(
                article.entity_links.suggested().values_list("pk", flat=True)
            )
            ArticleEntityLink.objects.filter(pk__in=suggested).update(
                state=LinkState.ACCEPTED,
                decided_by=users[DEMO_EDITOR],
                decided_at=now,
            )
            # Written without signals: say so (pages, kept bodies, search).
            send_bulk_saved(ArticleEntityLink, suggested)
            record_revision(
                article=article,
                user=users[DEMO_EDITOR],
                action=RevisionAction.SCHEDULED
                if published_at is not None and published_at > now
                else RevisionAction.PUBLISHED,
            )
    return counts
