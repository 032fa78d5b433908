"""The Red River Delta emulation cluster, 2023 (seed 000): data only, as the article states it.

Source: "Cụm thi đua các tỉnh Đồng bằng sông Hồng: Đổi mới, sáng tạo trong triển khai hoạt động
Hội" (PV, 08/11/2023; conference of 8/11/2023 in Thái Bình), shared/seeds/000_ac27b6a119dae297.txt.

Only what the article states is recorded. Each result carries the sentence it comes from
(``source``) and ``inferred=True`` where it follows from a count rather than being named ("Có
8/9 tỉnh thành lập HTX" names eight provinces: the ninth, Hà Nam, founded none). Where the
article gives a verdict without the figure ("5/9 tỉnh đạt và vượt chỉ tiêu") the result is an
``outcome`` with no value. Figures given only for the whole cluster ("Toàn Cụm đã hỗ trợ được
13.747 gia đình") are ``STATED_TOTALS``, never spread over the provinces. ``STATED_COUNTS`` are the
article's own counts, to compare with what the board computes.

Indicators: the article quotes each covenant indicator; how a province's result is measured
(``measure``, ``target``) is this module's reading of the article's results, written in each
indicator's ``note``.
"""

from __future__ import annotations

from typing import Any

SOURCE = {
    "title": "Cụm thi đua các tỉnh Đồng bằng sông Hồng: Đổi mới, sáng tạo trong triển khai hoạt "
             "động Hội",
    "author": "PV",
    "published_on": "2023-11-08",
    "seed": "shared/seeds/000_ac27b6a119dae297.txt",
}

CLUSTER = {
    "name": "Cụm thi đua các tỉnh Đồng bằng sông Hồng",
    "kind": "cum",
    "year": 2023,
    "member_noun": "tỉnh",
    "conference": "Hội nghị đánh giá hoạt động năm 2023, kế hoạch năm 2024, ngày 8/11/2023 tại "
                  "Thái Bình",
}

# key → short name (as the article lists provinces) and the Union unit's full name.
MEMBERS: tuple[dict[str, str], ...] = (
    {"key": "quang_ninh", "name": "Quảng Ninh", "unit_name": "Hội LHPN tỉnh Quảng Ninh"},
    {"key": "ninh_binh", "name": "Ninh Bình", "unit_name": "Hội LHPN tỉnh Ninh Bình"},
    {"key": "hung_yen", "name": "Hưng Yên", "unit_name": "Hội LHPN tỉnh Hưng Yên"},
    {"key": "bac_ninh", "name": "Bắc Ninh", "unit_name": "Hội LHPN tỉnh Bắc Ninh"},
    {"key": "nam_dinh", "name": "Nam Định", "unit_name": "Hội LHPN tỉnh Nam Định"},
    {"key": "vinh_phuc", "name": "Vĩnh Phúc", "unit_name": "Hội LHPN tỉnh Vĩnh Phúc"},
    {"key": "hai_duong", "name": "Hải Dương", "unit_name": "Hội LHPN tỉnh Hải Dương"},
    {"key": "thai_binh", "name": "Thái Bình", "unit_name": "Hội LHPN tỉnh Thái Bình"},
    {"key": "ha_nam", "name": "Hà Nam", "unit_name": "Hội LHPN tỉnh Hà Nam"},
)

LEAD = "quang_ninh"
LEAD_SOURCE = ("Chủ tịch Hội LHPN tỉnh Quảng Ninh Nguyễn Vũ Thu Hòa (Cụm trưởng Cụm thi đua) "
               "cho biết: …")

INDICATORS: tuple[dict[str, Any], ...] = (
    {"code": "1", "measure": "yes_no", "target": "yes", "unit": "",
     "text": "Hàng năm, mỗi cơ sở Hội duy trì thường xuyên ít nhất 01 loại hình hoạt động để "
             "vận động phụ nữ nâng cao kiến thức, trau dồi đạo đức, rèn luyện sức khỏe.",
     "note": "Có: mọi cơ sở Hội của tỉnh duy trì ít nhất 01 loại hình hoạt động."},
    {"code": "2", "measure": "number", "target": "1", "unit": "hợp tác xã", "summable": True,
     "text": "Hằng năm giúp 33.500 hộ có phụ nữ thoát nghèo, thoát cận nghèo; hỗ trợ nâng cao "
             "năng lực cho 17.000 phụ nữ là chủ doanh nghiệp, quản lý hợp tác xã, chủ hộ kinh "
             "doanh; đến cuối nhiệm kỳ, vận động, hỗ trợ thành lập mới 350 hợp tác xã có phụ nữ "
             "tham gia quản lý.",
     "note": "Số hợp tác xã có phụ nữ tham gia quản lý thành lập mới trong năm; đạt khi thành "
             "lập ít nhất 01 (cách đọc của «Có 8/9 tỉnh thành lập HTX»)."},
    {"code": "3", "measure": "percent", "target": "80", "unit": "%", "applies": "when_cases",
     "text": "Đến cuối nhiệm kỳ, các cấp Hội hỗ trợ 80% phụ nữ, trẻ em gái là nạn nhân của bạo "
             "lực gia đình, nạn nhân mua bán người trở về được phát hiện tiếp cận ít nhất một "
             "dịch vụ trợ giúp xã hội.",
     "note": "Tỷ lệ nạn nhân được phát hiện đã được hỗ trợ; chỉ áp dụng cho tỉnh có trường hợp "
             "xảy ra."},
    {"code": "4", "measure": "percent", "target": "100", "unit": "%",
     "text": "Hằng năm, mỗi cơ sở Hội vận động, hỗ trợ thêm 05 hộ gia đình đạt tiêu chí \"gia "
             "đình 5 không, 3 sạch\" hoặc \"gia đình 5 có, 3 sạch\" (đối với địa bàn xây dựng nông "
             "thôn mới nâng cao/kiểu mẫu), phấn đấu cả nước giúp được thêm 55.000 hộ gia đình đạt "
             "8 tiêu chí; mỗi cơ sở Hội đăng ký và thực hiện 01 công trình/phần việc góp phần xây "
             "dựng nông thôn mới và đô thị văn minh.",
     "note": "Tỷ lệ cơ sở Hội đăng ký công trình, phần việc; số gia đình được hỗ trợ chỉ có số "
             "chung của cả Cụm (STATED_TOTALS)."},
    {"code": "5", "measure": "yes_no", "target": "yes", "unit": "",
     "text": "Đến cuối nhiệm kỳ, tăng thêm 800.000 hội viên; phấn đấu 100% cơ sở Hội tập hợp "
             "được trên 60% phụ nữ có mặt tại địa bàn.",
     "note": "Có: không còn cơ sở Hội nào tập hợp dưới 60% phụ nữ có mặt tại địa bàn."},
    {"code": "6", "measure": "yes_no", "target": "yes", "unit": "",
     "text": "Đến cuối nhiệm kỳ, 100% cán bộ Hội chuyên trách các cấp sử dụng thành thạo các "
             "phần mềm cơ bản trong công tác Hội; 100% chi hội trưởng được tập huấn nghiệp vụ "
             "công tác Hội.",
     "note": "Có: đạt (hoặc vượt) chỉ tiêu nhiệm kỳ."},
    {"code": "7", "measure": "yes_no", "target": "yes", "unit": "",
     "text": "Hằng năm, Hội LHPN cấp Trung ương và cấp tỉnh chủ trì giám sát ít nhất 01 chính "
             "sách và phản biện xã hội ít nhất 01 dự thảo văn bản liên quan đến phụ nữ, trẻ em, "
             "gia đình, bình đẳng giới và tổ chức Hội; mỗi Hội LHPN cấp huyện, cấp xã giám sát "
             "ít nhất 01 chính sách và góp ý ít nhất 01 dự thảo văn bản của cấp ủy, chính quyền.",
     "note": "Có: tỉnh đạt chỉ tiêu về giám sát và phản biện xã hội."},
    {"code": "8", "measure": "number", "target": "1", "unit": "chính sách, đề án",
     "summable": True,
     "text": "Đến cuối nhiệm kỳ, Hội LHPN cấp Trung ương đề xuất thành công ít nhất 05 chính "
             "sách, đề án; Hội LHPN cấp tỉnh đề xuất thành công ít nhất 01 chính sách, đề án "
             "liên quan đến phụ nữ.",
     "note": "Số chính sách, đề án Hội LHPN tỉnh đề xuất thành công; đạt khi có ít nhất 01. Bài "
             "viết chỉ nêu tỉnh đạt (không nêu số)."},
)

_S1 = "Kết quả: 9/9 tỉnh đạt chỉ tiêu."
_S2 = ("Kết quả: Có 8/9  tỉnh thành lập HTX (Quảng Ninh 04; Ninh Bình 03; Hưng Yên 03; Bắc Ninh "
       "02, Nam Định 02; Vĩnh Phúc 02; Hải Dương 01; Thái Bình 01).")
_S3 = ("Kết quả: 4/9 tỉnh có trường hợp xảy ra và 100% các nạn nhân đã được Hội hỗ trợ kịp "
       "thời. (Nam Định, Hải Dương, Bắc Ninh, Quảng Ninh).")
_S4 = ("Kết quả: 100% cơ sở Hội tại các tỉnh đăng ký công trình phần việc và có rà soát đưa vào "
       "danh  sách hỗ trợ các gia đình đạt tiêu chí \"gia đình 5 không, 3 sạch\" hoặc \"gia "
       "đình 5 có, 3 sạch\".")
_S5 = ("Kết quả: 6/9 tỉnh  đạt chỉ tiêu không còn cơ sở thu hút hội viên dưới 60% (Hà Nam, Bắc "
       "Ninh, Hải Dương, Vĩnh Phúc, Nam Định, Thái Bình).")
_S6 = "Kết quả: 9/9 đơn vị đều đạt và vượt chỉ tiêu nhiệm kỳ."
_S7 = "Kết quả: 100% các tỉnh đạt chỉ tiêu về công tác giám sát và phản biện  xã hội."
_S8 = ("Kết quả: 9/9 tỉnh thực hiện chủ  trì giám sát, thực hiện phản biện xã hội;  5/9 tỉnh đạt "
       "và vượt chỉ tiêu đề xuất chính sách (Bắc Ninh, Nam Định, Hưng Yên, Hải Dương, Quảng "
       "Ninh).")

_ALL = tuple(m["key"] for m in MEMBERS)


def _each(keys: tuple[str, ...], source: str, inferred: bool = False, **result: Any
          ) -> list[dict[str, Any]]:
    return [{"member": key, **result, "source": source, "inferred": inferred} for key in keys]


# indicator code → the results the article gives, one per province.
RESULTS: dict[str, list[dict[str, Any]]] = {
    "1": _each(_ALL, _S1, value="yes"),
    "2": [
        *({"member": key, "value": value, "source": _S2, "inferred": False}
          for key, value in (("quang_ninh", "4"), ("ninh_binh", "3"), ("hung_yen", "3"),
                             ("bac_ninh", "2"), ("nam_dinh", "2"), ("vinh_phuc", "2"),
                             ("hai_duong", "1"), ("thai_binh", "1"))),
        {"member": "ha_nam", "value": "0", "source": _S2, "inferred": True},
    ],
    "3": [
        *_each(("nam_dinh", "hai_duong", "bac_ninh", "quang_ninh"), _S3, cases_occurred=True,
               value="100"),
        *_each(("ninh_binh", "hung_yen", "vinh_phuc", "thai_binh", "ha_nam"), _S3, True,
               cases_occurred=False),
    ],
    "4": _each(_ALL, _S4, value="100"),
    "5": [
        *_each(("ha_nam", "bac_ninh", "hai_duong", "vinh_phuc", "nam_dinh", "thai_binh"), _S5,
               value="yes"),
        *_each(("quang_ninh", "ninh_binh", "hung_yen"), _S5, True, value="no"),
    ],
    "6": _each(_ALL, _S6, value="yes"),
    "7": _each(_ALL, _S7, value="yes"),
    "8": [
        *_each(("bac_ninh", "nam_dinh", "hung_yen", "hai_duong", "quang_ninh"), _S8,
               outcome="achieved"),
        *_each(("ninh_binh", "vinh_phuc", "thai_binh", "ha_nam"), _S8, True,
               outcome="not_achieved"),
    ],
}

STATED_TOTALS: tuple[dict[str, Any], ...] = (
    {"indicator_code": "4", "what": "gia đình được hỗ trợ đạt 08 tiêu chí", "value": "13747",
     "unit": "gia đình",
     "source": "Toàn Cụm đã hỗ trợ được 13.747 gia đình đạt 08 tiêu chí."},
)

# The article's own counts: indicator → (achieved, of, the words).
STATED_COUNTS: dict[str, tuple[int, int, str]] = {
    "1": (9, 9, "9/9 tỉnh đạt chỉ tiêu"),
    "2": (8, 9, "Có 8/9 tỉnh thành lập HTX"),
    "3": (4, 4, "4/9 tỉnh có trường hợp xảy ra và 100% các nạn nhân đã được Hội hỗ trợ"),
    "4": (9, 9, "100% cơ sở Hội tại các tỉnh đăng ký công trình phần việc"),
    "5": (6, 9, "6/9 tỉnh đạt chỉ tiêu"),
    "6": (9, 9, "9/9 đơn vị đều đạt và vượt chỉ tiêu nhiệm kỳ"),
    "7": (9, 9, "100% các tỉnh đạt chỉ tiêu"),
    "8": (5, 9, "5/9 tỉnh đạt và vượt chỉ tiêu đề xuất chính sách"),
}
