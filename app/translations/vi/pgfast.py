"""Vietnamese for the PostgreSQL search backend's estimated totals and facet counts."""

VI = {
    "About {total} results for “{q}”": "Khoảng {total} kết quả cho “{q}”",
    "About {total} titles": "Khoảng {total} nhan đề",
    "With this many matches, the counts are approximate.": "Với nhiều kết quả như vậy, số đếm chỉ là gần đúng.",
}
