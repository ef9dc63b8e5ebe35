"""`sitegen serve`'s HTTP server: a real server on an ephemeral port that serves the site and nothing else."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.serve import SCRIPT_TAG, BuildEvents, SiteServer, is_source_change, resolve_target
from sitegen.write import write_site

SECRET = "TOP-SECRET-d41d8cd98f00b204"


@dataclass
class Served:
    """A running server over a hand-made site, and the secret files beside it."""

    server: SiteServer
    site: Path
    port: int


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(port: int, method: str, path: str, host: str | None = None, body: bytes | None = None) -> Reply:
    """One request with http.client; the path is sent exactly as given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def raw_request(port: int, request_bytes: bytes) -> bytes:
    """Bytes that http.client refuses to send (NUL, no Host), straight over a socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request_bytes)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def make_site(root: Path) -> Path:
    """A small site beside secrets: root/site, root/secret.txt, root/site-private/secret.txt."""
    site = root / "site"
    (site / "findings").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "charts").mkdir()
    page = "<!doctype html>\n<html>\n<head>\n<title>{}</title>\n</head>\n<body>\n<p>{}</p>\n</body>\n</html>\n"
    (site / "index.html").write_text(page.format("Home", "home page"))
    (site / "findings" / "index.html").write_text(page.format("Findings", "findings page"))
    (site / "404.html").write_text(page.format("Page not found", "SITE-404-PAGE"))
    (site / "assets" / "site.css").write_text("body { color: black; }\n")
    (site / "assets" / "app.js").write_text("console.log('hi');\n")
    (site / "assets" / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (site / "charts" / "weekly.csv").write_text("week,count\n2020-06-01,3\n")
    (site / "charts" / "weekly.vl.json").write_text('{"mark": "bar"}\n')
    (site / "manifest.sha256").write_text("0" * 64 + "  index.html\n")
    (site / ".sitegen-output").write_text("marker\n")
    (root / "secret.txt").write_text(SECRET)
    (root / "site-private").mkdir()
    (root / "site-private" / "secret.txt").write_text(SECRET)
    (site / "link-out").symlink_to(root / "secret.txt")
    (site / "dir-out").symlink_to(root)
    (site / "alias.html").symlink_to(site / "index.html")  # a link that stays inside the site is fine
    return site


def run_server(root: Path) -> Iterator[Served]:
    site = make_site(root)
    events = BuildEvents()
    server = SiteServer(("127.0.0.1", 0), site, events)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Served(server, site, server.port)
    finally:
        events.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """A server of its own, for tests that change the site."""
    yield from run_server(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the many read-only requests."""
    yield from run_server(tmp_path_factory.mktemp("shared"))


def _traversals() -> list[str]:
    ups = (
        ".. %2e%2e %2E%2E .%2e %2e. %252e%252e %c0%ae%c0%ae %e0%80%ae%e0%80%ae %ef%bc%8e%ef%bc%8e "
        "..%00 %00.. ..; .... %u002e%u002e"
    ).split()
    separators = ["/", "%2f", "%2F", "%252f", "\\", "%5c", "%5C", "%255c"]
    attempts = []
    for up in ups:
        for sep in separators:
            attempts.append(f"/{up}{sep}secret.txt")
            attempts.append(f"/assets/{up}{sep}{up}{sep}secret.txt")
    attempts += [
        "/../site-private/secret.txt",
        "/%2e%2e/site-private/secret.txt",
        "/..%2fsite-private%2fsecret.txt",
        "/findings/../../secret.txt",
        "/findings/./../../secret.txt",
        "/./../secret.txt",
        "//../secret.txt",
        "/..//..//secret.txt",
        "/.../secret.txt",
        "/secret.txt%00.html",
        "/..%00/secret.txt",
        "/link-out",
        "/link-out/",
        "/dir-out/secret.txt",
        "/dir-out/site-private/secret.txt",
        "/dir-out/",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/../../../../../../etc/passwd",
        "/..\\..\\..\\windows\\win.ini",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
    ]
    return attempts


TRAVERSALS = _traversals()


def test_there_are_at_least_sixty_traversal_attempts() -> None:
    assert len(set(TRAVERSALS)) >= 60


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_return_nothing_from_outside_the_site(shared: Served, path: str) -> None:
    reply = request(shared.port, "GET", path)
    assert reply.status in (400, 404)
    assert SECRET.encode() not in reply.body


@pytest.mark.parametrize("path", ["/" + str(Path("/etc/passwd")), "http://127.0.0.1/../secret.txt", "*"])
def test_absolute_paths_and_forms_are_refused(served: Served, path: str) -> None:
    absolute = str(served.site.parent / "secret.txt")
    for target in (path, "/" + absolute, "/" + absolute.replace("/", "%2f")):
        reply = request(served.port, "GET", target)
        assert reply.status == 404
        assert SECRET.encode() not in reply.body


@pytest.mark.parametrize(
    "target", [b"/secret.txt\x00.html", b"/..\x00/secret.txt", b"/\x00../secret.txt", b"/../secret.txt"]
)
def test_raw_bytes_in_the_request_line_are_refused(served: Served, target: bytes) -> None:
    answer = raw_request(served.port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % served.port)
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"400", b"404")
    assert SECRET.encode() not in answer


def test_resolve_target_keeps_inside_the_site(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert resolve_target(site, "/").file == site / "index.html"
    assert resolve_target(site, "/findings/?q=1").file == site / "findings" / "index.html"
    assert resolve_target(site, "/findings").redirect == "/findings/"
    assert resolve_target(site, "//findings?x=1").redirect == "/findings/?x=1"  # never '//host', an open redirect
    assert resolve_target(site, "/alias.html").file == site / "index.html"
    for path in ("/link-out", "/dir-out/secret.txt", "/../secret.txt", "/%2e%2e/secret.txt", "/.sitegen-output"):
        assert resolve_target(site, path).file is None


def test_symlink_out_of_the_site_is_not_found(served: Served) -> None:
    for path in ("/link-out", "/dir-out/secret.txt"):
        reply = request(served.port, "GET", path)
        assert reply.status == 404
        assert b"SITE-404-PAGE" in reply.body
    assert request(served.port, "GET", "/alias.html").status == 200


def test_no_directory_listing(served: Served) -> None:
    reply = request(served.port, "GET", "/assets/")
    assert reply.status == 404
    assert b"site.css" not in reply.body and b"SITE-404-PAGE" in reply.body


def test_directory_with_index_redirects_to_its_slash_then_serves_it(served: Served) -> None:
    reply = request(served.port, "GET", "/findings")
    assert reply.status == 301 and reply.headers["Location"] == "/findings/"
    reply = request(served.port, "GET", "/findings/")
    assert reply.status == 200 and b"findings page" in reply.body


def test_dotfiles_are_not_served(served: Served) -> None:
    for path in ("/.sitegen-output", "/%2esitegen-output", "/charts/.hidden"):
        assert request(served.port, "GET", path).status == 404


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost.evil.example:{port}", "", "127.0.0.1"]
)
def test_foreign_host_is_refused(served: Served, host: str) -> None:
    reply = request(served.port, "GET", "/", host=host.format(port=served.port))
    assert reply.status == 400
    assert b"home page" not in reply.body


def test_missing_or_repeated_host_is_refused(served: Served) -> None:
    answer = raw_request(served.port, b"GET / HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400 ")
    host = b"Host: 127.0.0.1:%d\r\n" % served.port
    answer = raw_request(served.port, b"GET / HTTP/1.1\r\n" + host + b"Host: evil.example\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400 ") and b"home page" not in answer


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_hosts_are_accepted(served: Served, host: str) -> None:
    reply = request(served.port, "GET", "/", host=host.format(port=served.port))
    assert reply.status == 200 and b"home page" in reply.body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW"])
def test_methods_other_than_get_and_head_are_not_allowed(served: Served, method: str) -> None:
    reply = request(served.port, method, "/index.html", body=b"name=value")
    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, HEAD"
    assert (served.site / "index.html").read_text().count("home page") == 1


def test_not_found_serves_the_site_404_and_never_echoes_the_path(served: Served) -> None:
    reply = request(served.port, "GET", "/no-such-page-<script>alert(7)</script>?q=%3Cb%3E")
    assert reply.status == 404
    assert b"SITE-404-PAGE" in reply.body
    assert b"no-such" not in reply.body and b"alert" not in reply.body and b"<b>" not in reply.body
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"


def test_not_found_without_a_404_page_is_plain(served: Served) -> None:
    (served.site / "404.html").unlink()
    reply = request(served.port, "GET", "/missing-XYZZY")
    assert reply.status == 404
    assert reply.body == b"404 Not Found\n"


def test_bad_request_line_is_not_echoed(served: Served) -> None:
    answer = raw_request(served.port, b"GET /<i>x</i> HTTP/9.9<script>\r\n\r\n")
    assert b"400 Bad Request" in answer
    assert b"<script>" not in answer and b"<i>" not in answer


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/assets/site.css", "text/css"),
        ("/assets/app.js", "application/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/charts/weekly.csv", "text/csv"),
        ("/charts/weekly.vl.json", "application/json"),
        ("/manifest.sha256", "text/plain"),
        ("/__sitegen/livereload.js", "application/javascript"),
    ],
)
def test_content_types_and_nosniff(shared: Served, path: str, content_type: str) -> None:
    reply = request(shared.port, "GET", path)
    assert reply.status == 200
    assert reply.headers["Content-Type"].split(";")[0] == content_type.split(";")[0]
    if ";" in content_type:
        assert reply.headers["Content-Type"] == content_type
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert int(reply.headers["Content-Length"]) == len(reply.body)


def test_html_gets_the_livereload_script_only_in_the_response(served: Served) -> None:
    on_disk = (served.site / "index.html").read_bytes()
    reply = request(served.port, "GET", "/")
    assert SCRIPT_TAG in reply.body
    assert reply.body.index(SCRIPT_TAG) < reply.body.index(b"</head>")
    assert reply.body.replace(SCRIPT_TAG + b"\n", b"") == on_disk
    assert b"livereload" not in on_disk
    assert SCRIPT_TAG not in request(served.port, "GET", "/assets/site.css").body


def test_head_sends_the_headers_of_get_without_a_body(served: Served) -> None:
    get = request(served.port, "GET", "/findings/")
    head = request(served.port, "HEAD", "/findings/")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_reserved_paths_other_than_the_script_and_events_are_not_found(served: Served) -> None:
    assert request(served.port, "GET", "/__sitegen/").status == 404
    assert request(served.port, "GET", "/__sitegen/../secret.txt").status == 404


def test_waiting_page_when_no_site_has_been_built(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sitegen.serve.SWAP_RETRIES", 2)
    served.server.site_dir = served.site.parent / "not-built-yet"
    reply = request(served.port, "GET", "/")
    assert reply.status == 503
    assert SCRIPT_TAG in reply.body


def test_a_directory_sitegen_did_not_build_is_not_served(served: Served) -> None:
    (served.site / ".sitegen-output").unlink()
    reply = request(served.port, "GET", "/")
    assert reply.status == 503 and b"home page" not in reply.body


def test_is_source_change_ignores_output_caches_and_editor_leftovers(tmp_path: Path) -> None:
    project, output = tmp_path, tmp_path / "site"
    for ignored in (
        "site/index.html",
        ".site.staging/index.html",
        ".sitegen/cache.db",
        ".git/index",
        "content/.index.md.swp",
        "content/index.md~",
        "content/#index.md#",
        "content/.#index.md",
        "content/4913",
        "data/.datapackage.json.tmp",
        "templates/__pycache__/x.pyc",
    ):
        assert not is_source_change(project / ignored, project, output), ignored
    for relevant in ("content/index.md", "content/stats.yaml", "data/posts.csv", "templates/base.html", "sitegen.toml"):
        assert is_source_change(project / relevant, project, output), relevant


def test_requests_while_the_write_stage_swaps_sites_always_get_a_whole_file(served: Served) -> None:
    # The write stage renames the site away, then the staging copy into place: a request that looks in
    # between, or between its own looks, retries in the new site instead of answering 503 or 404.
    versions = [
        {
            "index.html": f"<!doctype html>\n<html><body>v{n}</body></html>\n".encode(),
            "assets/site.css": f"/* {n} */".encode(),
        }
        for n in range(2)
    ]
    bodies = {body for version in versions for body in version.values()}
    write_site(versions[1], served.site)
    stop = threading.Event()
    problems: list[str] = []
    answered = [0]

    def hammer() -> None:
        while not stop.is_set():
            for url in ("/", "/assets/site.css"):
                reply = request(served.port, "GET", url)
                answered[0] += 1
                if reply.status != 200 or reply.body.replace(SCRIPT_TAG + b"\n", b"") not in bodies:
                    problems.append(f"{url}: {reply.status} {reply.body[:80]!r}")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for n in range(300):
            write_site(versions[n % 2], served.site)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert answered[0] > 300
    assert problems == []
