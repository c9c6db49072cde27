"""What the people of a district library do at once, as loops over a served instance: the desk
lends, renews, takes back and sets aside; cataloguers edit records and copies and upload MARC;
staff scan pages with OCR; residents search and read. Each loop runs until `stop` is set."""
from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

from tests.ingest.marc_fixtures import book, iso
from tests.ingest.scan_samples import encoded, text_image
from tests.soak.client import Client, Journal

CENTRE_ID = "1"  # the demo's cultural centre, the desk's library
CARD = "BD000001"  # the demo reader
JOB_WAIT = 120.0

SEARCHES = ["nuôi tôm", "nuoi tom", "lịch sử việt nam", "lich su", "truyện cổ tích", "tin học", "biển",
            "title:địa lý", "ti:toán", "subject:thủy sản", "year:2019", "type:book", "marine biology",
            "history", "cát bà", "cat ba", "sức khỏe", "\"văn hóa đọc\"", "môi trường -rác", "kỹ năng"]


@dataclass
class Run:
    """What the actors share: where the site is, the journal, the stop flag, what exists."""
    base: str
    journal: Journal
    stop: threading.Event
    record_ids: list[int]
    objects: list[tuple[int, int]] = field(default_factory=list)  # (digital object, its record)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, actor: str) -> Client:
        return Client(self.base, actor, self.journal)

    def staff(self, actor: str, username: str) -> Client:
        client = self.client(actor)
        if not client.sign_in(username):
            self.journal.problem(f"{actor}: could not sign in as {username}")
            self.stop.set()
        return client


def flash_kinds(html: str) -> list[str]:
    return re.findall(r'<p class="flash (\w+)"', html)


def posted(run: Run, client: Client, path: str, data: dict, what: str, **kwargs) -> str:
    """POST a form, follow its redirect; returns the page's first flash kind ('' if none) and
    counts `what` when the action went through (a redirect to a page flashing no error)."""
    answer = client.post(path, data, **kwargs)
    if answer.status != 302:
        return f"status {answer.status}"
    page = client.get(answer.location)
    kinds = flash_kinds(page.text)
    if "error" not in kinds:
        run.journal.count(what)
    return kinds[0] if kinds else ""


def wait_for_job(run: Run, client: Client, location: str, what: str) -> dict | None:
    """Poll a job's JSON until it ends; a failed or endless job is a problem of the run."""
    job_path = location.rstrip("/") + ".json"
    deadline = time.monotonic() + JOB_WAIT
    while time.monotonic() < deadline:
        answer = client.get(job_path)
        if answer.status != 200:
            run.journal.problem(f"{client.actor}: {what} job page {job_path} answered {answer.status}")
            return None
        job = answer.json()
        if job["status"] == "done":
            run.journal.count(what)
            return job["result"]
        if job["status"] == "failed":
            trace = ((job.get("result") or {}).get("traceback") or "").strip().splitlines()
            run.journal.problem(f"{client.actor}: {what} job {job['id']} failed: {job['message']}\n"
                                + "\n".join(trace[-8:]))
            return None
        time.sleep(0.5)
    run.journal.problem(f"{client.actor}: {what} job {job_path} not finished after {JOB_WAIT:.0f} s")
    return None


def desk(run: Run, number: int) -> None:
    """A librarian lends a copy, renews it, takes it back; now and then a hold set aside."""
    client, rng = run.staff(f"desk-{number}", "thuthu"), random.Random(number)
    desk_page = f"/staff/circulation?library={CENTRE_ID}&card={CARD}"
    while not run.stop.is_set():
        barcode = f"TTVH{rng.randint(1 + 75 * number, 75 * (number + 1)):05d}1"
        fields = client.form(desk_page, "/staff/circulation/checkout")
        posted(run, client, "/staff/circulation/checkout", {**fields, "barcode": barcode}, "checkout")
        posted(run, client, "/staff/circulation/renew", {**fields, "barcode": barcode, "mode": "renew"}, "renewal")
        if rng.random() < 0.3:
            hold = {**fields, "title": barcode, "mode": "hold"}
            posted(run, client, "/staff/circulation/hold", hold, "desk hold")
        posted(run, client, "/staff/circulation/checkin", {**fields, "barcode": barcode, "mode": "checkin"}, "checkin")
        if rng.random() < 0.3:
            posted(run, client, "/staff/circulation/fill", {**fields, "barcode": barcode, "mode": "fill"}, "hold filled")
        client.get(f"/staff/circulation?library={CENTRE_ID}&card={CARD}&mode=checkout")


def cataloguer(run: Run) -> None:
    """A cataloguer corrects records through the form and a copy's shelf note."""
    client, rng, n = run.staff("cataloguer", "bienmuc"), random.Random(11), 0
    while not run.stop.is_set():
        n += 1
        record_id = rng.choice(run.record_ids[160:])
        path = f"/staff/records/{record_id}/edit"
        fields = client.form(path, path)
        fields["physical_description"] = f"{100 + n} tr. ; 21 cm"
        posted(run, client, path, fields, "record edit")
        copies = client.get(f"/staff/records/{record_id}/copies").text
        item_ids = re.findall(r'href="/staff/copies/(\d+)">TTVH', copies)  # the centre's own copies
        if item_ids:
            copy_path = f"/staff/copies/{item_ids[0]}"
            fields = client.form(copy_path, copy_path)
            fields["notes"] = f"Kiểm kê lần {n}"
            posted(run, client, copy_path, fields, "copy edit")
        client.get(f"/records/{record_id}")


def marc_uploader(run: Run) -> None:
    """A cataloguer uploads a small MARC file and reads the job's report."""
    client, n = run.staff("marc", "bienmuc"), 0
    while not run.stop.is_set():
        n += 1
        records = [book(f"SOAK-{n}-{k}", f"Sổ tay nghề biển tập {n}.{k}", year=2000 + k) for k in range(15)]
        fields = client.form("/staff/import", "/staff/import")
        answer = client.post("/staff/import", fields, files={"file": [(f"soak-{n}.mrc", iso(*records))]})
        if answer.status != 302:
            run.journal.problem(f"marc: upload {n} answered {answer.status}")
            run.stop.wait(5)
            continue
        result = wait_for_job(run, client, answer.location, "marc import")
        if result is not None and result.get("created", 0) + result.get("updated", 0) + result.get("unchanged", 0) != 15:
            run.journal.problem(f"marc: upload {n} reported {result}")
        client.get(answer.location)
        run.stop.wait(3)


def scanner(run: Run) -> None:
    """Staff scan two pages of a local booklet, with OCR, for everyone to read."""
    client, n = run.staff("scans", "thuthu"), 0
    while not run.stop.is_set():
        n += 1
        pages = [("trang-1.png", encoded(text_image([f"Địa chí Cát Hải {n}", "Làng chài ven biển"]))),
                 ("trang-2.png", encoded(text_image(["Lịch sử xã Hiền Hào", f"Phần {n}"])))]
        fields = client.form("/staff/scans", "/staff/scans")
        fields.pop("no_ocr", None)
        fields.update(label=f"Tài liệu địa phương {n}", licence="cc-by")
        answer = client.post("/staff/scans", fields, files={"files": pages})
        if answer.status != 302:
            run.journal.problem(f"scans: upload {n} answered {answer.status}")
            run.stop.wait(5)
            continue
        result = wait_for_job(run, client, answer.location, "scan ingest")
        if result is not None:
            if result.get("pages") != 2 or not result.get("object_id"):
                run.journal.problem(f"scans: upload {n} reported {result}")
            else:
                ocr = result.get("ocr") or {}
                if ocr.get("pages_read") == 2:
                    run.journal.count("ocr")
                else:
                    run.journal.problem(f"scans: upload {n} OCR read {ocr}")
                with run.lock:
                    run.objects.append((result["object_id"], result["record_id"]))
        run.stop.wait(3)


def resident(run: Run, number: int) -> None:
    """Someone at home searches (marks or none, fielded, paged, faceted), opens records, reads."""
    client, rng = run.client(f"resident-{number}"), random.Random(100 + number)
    while not run.stop.is_set():
        q = rng.choice(SEARCHES)
        answer = client.get(f"/api/search?q={q}")
        if answer.status == 200:
            found = answer.json()
            run.journal.count("search")
            for name, values in list(found["facets"].items())[:2]:
                if values:
                    client.get(f"/search?q={q}&f={name}:{values[0]['value']}")
            if found["total"] > 20:
                client.get(f"/search?q={q}&page=2")
            for hit in found["hits"][:2]:
                client.get(f"/records/{hit['id']}")
        client.get(f"/search?q={q}&sort=year")
        record_id = rng.choice(run.record_ids)
        client.get(f"/records/{record_id}")
        client.get(f"/api/records/{record_id}")
        read(run, client, rng)


def read(run: Run, client: Client, rng: random.Random) -> None:
    """Open a scanned booklet in the reader, its images, its manifest and a search inside."""
    with run.lock:
        scanned = rng.choice(run.objects) if run.objects else None
    if scanned is None:
        client.get("/digital")
        return
    object_id, record_id = scanned
    page = client.get(f"/read/{object_id}/{rng.choice((1, 2))}")
    if page.status == 200:
        run.journal.count("reader page")
        images = re.findall(r'(/iiif/\d+/\d+/full/(?:max|\d*,\d*)/0/default\.jpg)', page.text)
        for image in images[:2]:
            if client.get(image).status == 200:
                run.journal.count("page image")
    client.get(f"/iiif/{object_id}/manifest")
    client.get(f"/read/{object_id}?q=biển")
    inside = client.get(f"/api/records/{record_id}/search-inside?q=biển")
    if inside.status == 200 and inside.json()["hits"]:
        run.journal.count("found inside")
    client.get(f"/read/{object_id}/1/text")


def holder(run: Run) -> None:
    """The demo reader signs in, places holds from record pages and cancels them on their page."""
    client, rng = run.staff("reader", "bandoc"), random.Random(7)
    while not run.stop.is_set():
        record_id = rng.choice(run.record_ids)
        try:
            fields = client.form(f"/records/{record_id}", "/holds")
        except AssertionError:
            continue  # no copy to hold on this title
        posted(run, client, "/holds", fields, "reader hold")
        account = client.get("/account").text
        cancel = re.findall(r'action="(/holds/\d+/cancel)"', account)
        if cancel:
            fields = client.form("/account", cancel[0])
            posted(run, client, cancel[0], fields, "hold cancelled")
        run.stop.wait(0.5)
