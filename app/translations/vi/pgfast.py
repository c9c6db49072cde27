"""Vietnamese for the PostgreSQL search backend's estimated totals and facet counts."""

VI = {
    "About {total} results for “{q}”": "Khoảng {total} kết quả cho “{q}”",
    "About {total} titles": "Khoảng {total} nhan đề",
    "Counts estimated from a sample of the matches.": "Số đếm ước tính từ một mẫu các kết quả.",
}
