import Foundation
import TandemProto

/// The independent checks, as Python scripts run from the oracle virtualenv; each prints JSON.
enum Validators {
    static let csv = """
        import csv, json, sys
        with open(sys.argv[1], newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f, strict=True))
        print(json.dumps(rows))
        """

    static let junit = """
        import json, sys
        from xml.dom import minidom
        doc = minidom.parse(sys.argv[1])
        def text(node):
            return ''.join(n.data for n in node.childNodes if n.nodeType in (n.TEXT_NODE, n.CDATA_SECTION_NODE))
        suites = doc.getElementsByTagName('testsuite')
        cases = []
        for c in doc.getElementsByTagName('testcase'):
            f = c.getElementsByTagName('failure')
            cases.append({'classname': c.getAttribute('classname'), 'name': c.getAttribute('name'),
                          'message': f[0].getAttribute('message') if f else None,
                          'text': text(f[0]) if f else None})
        print(json.dumps({'suites': len(suites), 'name': suites[0].getAttribute('name'),
                          'tests': suites[0].getAttribute('tests'), 'failures': suites[0].getAttribute('failures'),
                          'cases': cases,
                          'properties': {p.getAttribute('name'): p.getAttribute('value')
                                         for p in doc.getElementsByTagName('property')}}))
        """

    static let html = """
        import base64, hashlib, json, re, sys
        from html.parser import HTMLParser
        from xml.dom import minidom
        VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}
        class Check(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.stack, self.errors, self.tags, self.scripts, self.risky, self.text = [], [], {}, [], [], []
                self.in_script = False
            def attrs(self, tag, attrs):
                self.tags[tag] = self.tags.get(tag, 0) + 1
                for name, value in attrs:
                    if name.startswith('on') or name in ('href', 'src', 'srcdoc', 'action', 'formaction', 'xlink:href'):
                        self.risky.append(tag + ' ' + name)
            def handle_starttag(self, tag, attrs):
                self.attrs(tag, attrs)
                if tag not in VOID:
                    self.stack.append(tag)
                if tag == 'script':
                    self.in_script = True
                    self.scripts.append('')
            def handle_startendtag(self, tag, attrs):
                self.attrs(tag, attrs)
            def handle_endtag(self, tag):
                if not self.stack or self.stack[-1] != tag:
                    self.errors.append('unexpected </%s>, open: %s' % (tag, self.stack[-3:]))
                else:
                    self.stack.pop()
                if tag == 'script':
                    self.in_script = False
            def handle_data(self, data):
                if self.in_script:
                    self.scripts[-1] += data
                else:
                    self.text.append(data)
        source = open(sys.argv[1], encoding='utf-8').read()
        check = Check()
        check.feed(source)
        check.close()
        if check.stack:
            check.errors.append('unclosed: %s' % check.stack)
        svg = re.search(r'<svg.*?</svg>', source, re.S)
        svg_ok = None
        if svg:
            minidom.parseString(svg.group(0))
            svg_ok = True
        csp = re.search(r"script-src '(sha256-[^']+)'", source)
        digest = ['sha256-' + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in check.scripts]
        print(json.dumps({'errors': check.errors, 'tags': check.tags, 'scripts': check.scripts, 'risky': check.risky,
                          'text': ''.join(check.text), 'csp': csp.group(1) if csp else None, 'digests': digest,
                          'raw_script_tags': source.lower().count('<script'), 'svg': svg_ok}))
        """

    static let prometheus = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = []
        for f in text_string_to_metric_families(open(sys.argv[1], encoding='utf-8').read()):
            families.append({'name': f.name, 'type': f.type,
                             'samples': [{'name': s.name, 'labels': s.labels, 'value': s.value} for s in f.samples]})
        print(json.dumps(families))
        """

    /// Runs `script` on `text` and parses the JSON it prints.
    static func check(_ script: String, _ text: String) throws -> JSONValue {
        try JSONValue(parsing: try Python.run(script, input: text), maxDepth: 1_000)
    }
}

extension JSONValue {
    /// The strings of an array of strings.
    var strings: [String] { arrayElements?.compactMap(\.stringValue) ?? [] }
}

/// Replaces what XML 1.0 cannot carry with U+FFFD, as the renderers do.
func xmlSanitized(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        let value = scalar.value
        let allowed =
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || value >= 0x10000
        out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
    }
    return out
}

/// Byte-exact comparison (String equality is canonical equivalence, which would hide a changed scalar).
func sameBytes(_ a: String, _ b: String) -> Bool { Array(a.utf8) == Array(b.utf8) }
