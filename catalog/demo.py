"""The demo library: a district cultural centre, three schools, two village points, a few hundred
records in Vietnamese and English with copies, and one account per role. Written for this
project (no copied texts); deterministic, and loading it twice changes nothing."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import clock
from catalog.copies.items import ItemStatus, add_item
from catalog.libraries import Library, LibraryKind, save_library
from catalog.records.models import Record, RecordDraft, create_record
from catalog.accounts.users import Role, User, create_user, find_user

DEMO_PASSWORD = "hoclieu-demo"
CENTRE = "TTVH"

LIBRARIES = [
    (CENTRE, "Thư viện Trung tâm Văn hóa - Thông tin và Thể thao huyện Cát Hải", LibraryKind.CULTURAL_CENTRE, None,
     "Thị trấn Cát Bà, huyện Cát Hải, Hải Phòng"),
    ("TH-CATBA", "Thư viện Trường Tiểu học Cát Bà", LibraryKind.SCHOOL, None, "Thị trấn Cát Bà"),
    ("THCS-CATHAI", "Thư viện Trường THCS Cát Hải", LibraryKind.SCHOOL, None, "Thị trấn Cát Hải"),
    ("THPT-CATBA", "Thư viện Trường THPT Cát Bà", LibraryKind.SCHOOL, None, "Thị trấn Cát Bà"),
    ("BDVH-HIENHAO", "Điểm Bưu điện - Văn hóa xã Hiền Hào", LibraryKind.POST_OFFICE_POINT, CENTRE, "Xã Hiền Hào"),
    ("PD-GIALOC", "Phòng đọc thôn Gia Lộc", LibraryKind.VILLAGE_READING_ROOM, CENTRE, "Thôn Gia Lộc, xã Gia Luận"),
]

ACCOUNTS = [
    ("admin", Role.ADMIN, CENTRE, "Quản trị hệ thống", None),
    ("bienmuc", Role.CATALOGUER, CENTRE, "Phạm Thị Thu Hà", None),
    ("thuthu", Role.LIBRARIAN, CENTRE, "Nguyễn Văn Hải", None),
    ("thuvien.tieuhoc", Role.LIBRARIAN, "TH-CATBA", "Trần Thị Mai", None),
    ("bandoc", Role.READER, None, "Lê Minh Đức", "BD000001"),
    ("phongvh", Role.DISTRICT, None, "Phòng Văn hóa và Thông tin huyện", None),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Hữu", "Ngọc", "Thanh", "Xuân", "Hồng", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phương", "Quân",
         "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Khoa", "Đạt", "Hòa", "Thủy", "Sơn", "Linh"]
PUBLISHERS = [("H.", "Nxb. Giáo dục Việt Nam"), ("H.", "Nxb. Kim Đồng"), ("Tp. HCM", "Nxb. Trẻ"),
              ("Hải Phòng", "Nxb. Hải Phòng"), ("H.", "Nxb. Văn học"), ("H.", "Nxb. Nông nghiệp"),
              ("H.", "Nxb. Chính trị quốc gia Sự thật"), ("H.", "Nxb. Khoa học và Kỹ thuật"),
              ("H.", "Nxb. Thông tin và Truyền thông"), ("H.", "Nxb. Phụ nữ Việt Nam")]

# (title stem, subjects, DDC, summary) — topics a district library and its schools hold.
TOPICS = [
    ("Kỹ thuật nuôi tôm", ["Thủy sản", "Nuôi trồng thủy sản"], "639.68", "Hướng dẫn chọn giống, chuẩn bị ao và phòng bệnh cho tôm nuôi ven biển."),
    ("Nghề cá ven bờ", ["Thủy sản", "Nghề cá"], "639.2", "Kinh nghiệm đánh bắt hải sản an toàn và bền vững cho ngư dân."),
    ("Lịch sử Việt Nam", ["Lịch sử", "Việt Nam"], "959.7", "Các giai đoạn lịch sử dân tộc từ thời dựng nước đến nay."),
    ("Địa lý Hải Phòng", ["Địa lý", "Hải Phòng"], "915.973", "Tự nhiên, dân cư và kinh tế thành phố cảng Hải Phòng."),
    ("Quần đảo Cát Bà", ["Du lịch", "Cát Bà", "Di sản thiên nhiên"], "915.973", "Rừng quốc gia, vịnh Lan Hạ và đời sống cư dân đảo."),
    ("Truyện cổ tích Việt Nam", ["Văn học dân gian", "Truyện cổ tích"], "398.209597", "Những truyện cổ tích quen thuộc kể cho thiếu nhi."),
    ("Thơ Việt Nam hiện đại", ["Thơ", "Văn học Việt Nam"], "895.9221", "Tuyển chọn thơ của các tác giả Việt Nam thế kỷ XX."),
    ("Giáo trình tin học cơ bản", ["Tin học", "Máy tính"], "004", "Sử dụng máy tính, soạn thảo văn bản và tìm kiếm thông tin trên Internet."),
    ("Toán học vui", ["Toán học", "Sách thiếu nhi"], "510", "Trò chơi và câu đố giúp học sinh tiểu học yêu thích môn toán."),
    ("Tiếng Việt lớp 5", ["Tiếng Việt", "Sách giáo khoa"], "495.922", "Bài đọc, chính tả và luyện từ và câu theo chương trình mới."),
    ("Chăm sóc sức khỏe gia đình", ["Y học", "Sức khỏe"], "613", "Phòng bệnh thường gặp, dinh dưỡng và sơ cứu tại nhà."),
    ("Bảo vệ môi trường biển", ["Môi trường", "Biển"], "333.9164", "Rác thải nhựa, rừng ngập mặn và trách nhiệm của cộng đồng."),
    ("Kỹ năng sống cho học sinh", ["Kỹ năng sống", "Giáo dục"], "646.7", "Giao tiếp, tự bảo vệ và làm việc nhóm ở trường."),
    ("Văn hóa đọc", ["Thư viện", "Văn hóa đọc"], "028.9", "Xây dựng thói quen đọc sách trong gia đình và nhà trường."),
    ("Pháp luật phổ thông", ["Pháp luật", "Việt Nam"], "349.597", "Quyền và nghĩa vụ của công dân trong đời sống hằng ngày."),
    ("Trồng rau sạch", ["Nông nghiệp", "Rau"], "635", "Kỹ thuật trồng rau an toàn trong vườn nhà và trên sân thượng."),
    ("Đường về quê mẹ", ["Tiểu thuyết", "Văn học Việt Nam"], "895.9223", "Câu chuyện về một gia đình làng chài qua ba thế hệ."),
    ("Khoa học tự nhiên lớp 7", ["Khoa học tự nhiên", "Sách giáo khoa"], "507", "Chất, năng lượng và sự sống theo chương trình giáo dục phổ thông."),
    ("Thủy triều và khí hậu", ["Khí tượng", "Biển"], "551.46", "Hiểu thủy triều, gió mùa và bão để đi biển an toàn."),
    ("Hòa bình và hữu nghị", ["Chính trị", "Quan hệ quốc tế"], "327.597", "Tư liệu về quan hệ hữu nghị của Việt Nam với các nước."),
]
QUALIFIERS = ["", "", "tập 1", "tập 2", "dành cho thiếu nhi", "cho mọi nhà", "ven biển", "thường thức",
              "hỏi và đáp", "tái bản có bổ sung"]

ENGLISH = [
    ("Introduction to marine biology", ["Marine biology"], "578.77", "Life in the sea, from plankton to whales."),
    ("English for fishermen", ["English language", "Fisheries"], "428.24", "Everyday English at sea and in port."),
    ("The history of Vietnam", ["Vietnam", "History"], "959.7", "A concise history for general readers."),
    ("Computer basics for beginners", ["Computers"], "004", "Using a computer, email and the web safely."),
    ("Stories from Southeast Asia", ["Folklore", "Southeast Asia"], "398.2", "Folk tales retold for young readers."),
    ("Coastal ecosystems", ["Ecology", "Coasts"], "577.51", "Mangroves, sea grass and coral reefs."),
    ("Learning to read with phonics", ["Reading", "Phonics"], "372.465", "Activities for early readers."),
]
EN_AUTHORS = ["Smith, John", "Brown, Emily", "Taylor, Mark", "Wilson, Sarah", "Clarke, David"]


def isbn13(rng: random.Random) -> str:
    """A valid ISBN-13 in Vietnam's range (978-604-...)."""
    body = "978604" + "".join(str(rng.randint(0, 9)) for _ in range(6))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def vietnamese_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def demo_drafts(count: int = 300, seed: int = 2030) -> list[RecordDraft]:
    """Deterministic demo records: about four in five Vietnamese, the rest English."""
    rng = random.Random(seed)
    drafts = []
    for n in range(count):
        if n % 5 == 4:
            stem, subjects, ddc, summary = rng.choice(ENGLISH)
            title = stem if n % 3 else f"{stem}: a practical guide"
            authors, languages = [rng.choice(EN_AUTHORS)], ["eng"]
            place, publisher = rng.choice([("London", "Routledge"), ("Oxford", "Oxford University Press"),
                                           ("Singapore", "World Scientific")])
        else:
            stem, subjects, ddc, summary = rng.choice(TOPICS)
            qualifier = rng.choice(QUALIFIERS)
            title = f"{stem} {qualifier}".strip()
            authors = [vietnamese_name(rng) for _ in range(rng.choice([1, 1, 2]))]
            languages = ["vie"]
            place, publisher = rng.choice(PUBLISHERS)
        year = rng.randint(1995, 2025)
        pages = rng.randint(40, 420)
        drafts.append(RecordDraft(
            title=title,
            responsibility=", ".join(authors),
            authors=authors,
            subjects=list(subjects),
            publisher=publisher,
            place=place,
            year=year,
            languages=languages,
            record_type="book",
            isbns=[isbn13(rng)],
            classifications=[{"scheme": "ddc", "number": ddc, "edition": "23"}],
            call_number=f"{ddc} {authors[0][:3].upper()}",
            summary=summary,
            physical_description=f"{pages} tr. ; {rng.choice([19, 21, 24])} cm" if "vie" in languages
            else f"{pages} p. ; 24 cm",
            control_number=f"HL{n + 1:06d}",
            control_source="VN-HOCLIEU",
        ))
    return drafts


def is_demo_loaded(session: Session) -> bool:
    """Whether the demo library is already in this database."""
    return session.scalar(select(Library).where(Library.code == CENTRE)) is not None


def is_database_empty(session: Session) -> bool:
    """No library, record or account yet (a fresh database)."""
    return all(session.scalar(select(model.id).limit(1)) is None for model in (Library, Record, User))


def load_demo(session: Session, *, count: int = 300, today: dt.date | None = None) -> bool:
    """Load the demo library; returns False (and changes nothing) when it is already there.
    The caller decides whether this instance may hold demo accounts (see demo-data)."""
    if is_demo_loaded(session):
        return False
    today = today or clock.today(None)
    libraries: dict[str, Library] = {}
    for code, name, kind, parent, address in LIBRARIES:
        libraries[code] = save_library(session, code=code, name=name, kind=kind,
                                       parent=libraries.get(parent), address=address)
    rng = random.Random(7)
    codes = list(libraries)
    for n, draft in enumerate(demo_drafts(count)):
        record = create_record(session, draft)
        for copy in range(rng.choice([1, 1, 2, 2, 3, 4])):
            code = CENTRE if copy == 0 else rng.choice(codes)
            add_item(
                session, record, barcode=f"{code.split('-')[0]}{n + 1:05d}{copy + 1}",
                library=libraries[code], acquired_on=today - dt.timedelta(days=rng.randint(0, 3000)),
                price=Decimal(rng.randrange(20, 250) * 1000),
                status=ItemStatus.AVAILABLE,
            )
    for username, role, library, name, card in ACCOUNTS:
        if find_user(session, username) is None:
            create_user(session, username, role=role, password=DEMO_PASSWORD, display_name=name,
                        library=libraries.get(library), card_barcode=card)
    return True
