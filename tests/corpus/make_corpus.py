"""Writes the malformed and unusual exports of this folder (run once; the files are committed).

Each file is small and stands for one way real exports go wrong or differ;
cases.toml says what loading it must do. Run: uv run python tests/corpus/make_corpus.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
H = ["警情编号", "警情类型", "接警渠道", "所属区", "经度", "纬度", "接警时间", "派警时间", "出动时间", "到场时间",
     "处置完毕时间", "出警站点编号"]


def row(n, call="2025-05-21 01:00:00", disp="2025-05-21 01:01:00", dep="2025-05-21 01:02:00",
        arr="2025-05-21 01:05:00", clr="2025-05-21 01:30:00", typ="电梯困人", ch="群众电话",
        lon="114.06", lat="22.54", station="YJ0001"):
    return [f"JQ{n}", typ, ch, "福田区", lon, lat, call, disp, dep, arr, clr, station]


def csv_text(rows, header=H, sep=",", eol="\r\n"):
    return eol.join(sep.join(r) for r in [header, *rows]) + eol


def write(name, text, encoding="utf-8"):
    (HERE / name).write_bytes(text.encode(encoding))


def main():
    two = [row(1), row(2)]
    write("utf8.csv", csv_text(two))
    write("utf8_bom.csv", "\ufeff" + csv_text(two))
    write("gbk.csv", csv_text(two), "gbk")
    write("gb18030_4byte.csv", csv_text([row(1, typ="电梯困人"), row(2)], header=H + ["事发地址"])
          .replace("YJ0001\r\n", "YJ0001,𠀀街1号\r\n", 1).replace("YJ0001\r\n", "YJ0001,福田路2号\r\n"), "gb18030")
    write("utf16_tab.txt", "\ufeff" + csv_text(two, sep="\t"), "utf-16-le")
    write("semicolon.csv", csv_text(two, sep=";"))
    write("title_rows.csv", "2025年5月出警记录\r\n制表单位：福田区应急管理局,,\r\n" + csv_text(two))
    write("totals_row.csv", csv_text(two) + "合计,2,,,,,,,,,,\r\n")
    write("fullwidth_headers.csv", csv_text(two, header=["警情编号 ", "警情类型", "接警渠道", "所属区", "经度（度）", "纬度（度）",
                                                          "接警时间（北京时间）", "派警时间", "出动时间", "到场 时间",
                                                          "处置完毕时间", "出警站点编号"]))
    write("english_headers.csv", csv_text(two, header=["incident_id", "incident_type", "channel", "district", "lon", "lat",
                                                        "received", "dispatched", "departed", "arrived", "cleared", "station_id"]))
    write("timestamp_formats.csv", csv_text([
        row(1, call="2025/5/21 1:00", disp="2025/5/21 1:01", dep="2025/5/21 1:02", arr="2025/5/21 1:05", clr="2025/5/21 1:30"),
        row(2, call="2025年5月21日 01:00", disp="2025年5月21日 01:01", dep="2025年5月21日 01:02", arr="2025年5月21日 01:04", clr=""),
        row(3, call="45798.0416666667", disp="45798.0423611111", dep="45798.0430555556", arr="45798.0451388889", clr=""),
    ]))
    write("order_violation.csv", csv_text([row(1), row(2, arr="2025-05-21 01:00:30")]))
    write("missing_arrival.csv", csv_text([row(1), row(2, arr="", clr="")]))
    write("unparseable_time.csv", csv_text([row(1), row(2, call="昨天上午")]))
    write("duplicate_rows.csv", csv_text([row(1), row(2), row(1)]))
    write("missing_required_column.csv", csv_text([r[:-1] for r in two], header=H[:-1]))
    write("empty.csv", "")
    write("header_only.csv", csv_text([]))
    write("no_header.csv", "这是一份会议纪要\r\n内容,与出警无关\r\n")
    (HERE / "binary_garbage.csv").write_bytes(bytes(range(128, 256)) * 8)
    write("swapped_coords.csv", csv_text([row(1, lon="22.54", lat="114.06"), row(2)]))
    write("bd09_coords.csv", csv_text([r + ["BD-09"] for r in two], header=H + ["坐标系"]))
    write("outside_area.csv", csv_text([row(1, lon="116.40", lat="39.90"), row(2)]))
    write("unknown_category.csv", csv_text([row(1, typ="外星人登陆"), row(2)]))
    write("impossible_duration.csv", csv_text([row(1), row(2, arr="2025-05-31 01:05:00", clr="2025-05-31 02:00:00")]))
    write("quoted_newline.csv", csv_text([row(1) + ['"福田路1号\n2栋"'], row(2) + ["福田路2号"]], header=H + ["事发地址"]))
    write("inventory_bad_quantity.csv", csv_text([
        ["YJ0001", "消防泵", "必配装备", "1", "1", "2025-05-01"],
        ["YJ0001", "急救包", "应急物资", "-3", "10", "2025-05-01"],
        ["YJ0001", "灭火器", "必配装备", "十个", "10", "2025-05-01"],
    ], header=["站点编号", "物资名称", "物资类别", "库存数量", "标准配置数", "盘点日期"]))
    write("targets_bad_year.csv", csv_text([["2025", "社区服务站", "", "10"], ["明年", "小型站", "", "5"]],
                                           header=["年度", "站点类型", "所属区", "目标数量"]))
    write("stations_duplicate_ids.csv", csv_text([["YJ0001", "社区服务站", "福田区", "2024-01-01"],
                                                  ["YJ0001", "小型站", "福田区", "2024-02-01"],
                                                  ["YJ0002", "医院站", "福田区", "2024-03-01"]],
                                                 header=["站点编号", "站点类型", "所属区", "建成日期"]))
    write("stations_bad_dates.csv", csv_text([["YJ0001", "社区服务站", "福田区", "2024-01-01", ""],
                                              ["YJ0002", "小型站", "福田区", "去年", ""],
                                              ["YJ0003", "医院站", "福田区", "2024-03-01", "2023-01-01"]],
                                             header=["站点编号", "站点类型", "所属区", "建成日期", "撤销日期"]))

    # xlsx: a notes sheet before the data sheet
    wb = xlsxwriter.Workbook(str(HERE / "multisheet.xlsx"))
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    notes = wb.add_worksheet("说明")
    notes.write_row(0, 0, ["本表由站点台账系统导出", "请勿修改"])
    data = wb.add_worksheet("站点台账")
    data.write_row(0, 0, ["站点编号", "站点类型", "所属区", "建成日期", "队员人数"])
    data.write_row(1, 0, ["YJ0001", "社区服务站", "福田区", "2024-01-01", 12])
    data.write_row(2, 0, ["YJ0002", "小型站", "南山区", "2024-02-01", 10])
    wb.close()

    # xlsx: a two-line header with merged cells, title row above, and dates as Excel serial numbers
    wb = xlsxwriter.Workbook(str(HERE / "two_line_header.xlsx"))
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    ws = wb.add_worksheet("出警")
    ws.merge_range(0, 0, 0, 5, "2025年5月出警记录")
    ws.write_row(1, 0, ["警情", "", "时间", "", "", ""])
    ws.merge_range(1, 0, 1, 1, "警情")
    ws.merge_range(1, 2, 1, 4, "时间")
    ws.write_row(2, 0, ["编号", "类型", "接警时间", "派警时间", "到场时间", "出警站点编号"])
    ws.write_row(3, 0, ["JQ1", "电梯困人", 45798.0416666667, 45798.0423611111, 45798.0451388889, "YJ0001"])
    ws.write_row(4, 0, ["JQ2", "火灾扑救", 45798.5, 45798.5006944444, 45798.5034722222, "YJ0002"])
    wb.close()

    prevention()


PATROL_H = ["巡查编号", "站点编号", "开始时间", "结束时间", "街道", "社区", "场所类型", "巡查场所数", "巡查人数",
            "发现隐患数"]


def patrol(n, start="2025-05-21 09:00", end="2025-05-21 11:00", places="12", staff="3", found="1"):
    return [f"XC{n}", "YJ0001", start, end, "园岭", "百花", "三小场所", places, staff, found]


def prevention():
    """The prevention exports (patrols, hazards, outreach, the convenience desk) going wrong."""
    # GB18030 with a title row, as saved from Excel: end before start, counts below zero, no id, a repeat
    write("patrols_bad_rows.csv", "2025年5月安全巡查记录\r\n" + csv_text([
        patrol(1), patrol(2),
        patrol(3, end="2025-05-21 08:30"),        # end_before_start
        patrol(4, places="-5"),                  # negative_places_visited
        patrol(5, staff="-2"),                   # negative_staff_on_patrol
        ["", "YJ0001", "2025-05-21 09:00", "", "园岭", "百花", "学校", "4", "2", "0"],  # missing_patrol_id
        patrol(7, start="昨天上午"),               # bad_start_at
        patrol(1),                               # duplicate_in_file
    ], header=PATROL_H), "gb18030")

    # xlsx with a title row: rectified before found, deadline before found, no date found
    wb = xlsxwriter.Workbook(str(HERE / "hazards_bad_dates.xlsx"))
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    ws = wb.add_worksheet("隐患台账")
    ws.merge_range(0, 0, 0, 10, "2025年5月隐患台账")
    ws.write_row(1, 0, ["隐患编号", "站点编号", "发现日期", "场所名称", "场所类型", "街道", "隐患类型", "隐患等级",
                        "整改期限", "整改完成日期", "整改状态"])
    rows = [
        ["YH1", "YJ0001", "2025-05-01", "百花小店", "三小场所", "园岭", "电动自行车违规停放充电", "一般", "2025-05-08", "", "未整改"],
        ["YH2", "YJ0001", "2025-05-02", "园岭新村", "出租屋/城中村", "园岭", "私拉乱接电线", "较大", "2025-05-16",
         "2025-05-10", "已整改"],
        ["YH3", "YJ0001", "2025-05-03", "某商场", "商超", "园岭", "消防通道堵塞", "一般", "2025-05-10", "2025-04-30", "已整改"],
        ["YH4", "YJ0001", "2025-05-04", "某学校", "学校", "园岭", "燃气隐患", "重大", "2025-04-04", "", "未整改"],
        ["YH5", "YJ0001", "", "某医院", "医院", "园岭", "消防设施损坏或过期", "一般", "2025-05-10", "", "未整改"],
    ]
    for i, r in enumerate(rows):
        ws.write_row(2 + i, 0, r)
    wb.close()

    # English headers, UTF-8: participants and hours below zero
    write("outreach_english.csv", csv_text([
        ["HD1", "YJ0001", "2025-05-21", "drill", "fire", "40", "2"],
        ["HD2", "YJ0001", "2025-05-22", "team training", "forest fire", "12", "3.5"],
        ["HD3", "YJ0001", "2025-05-23", "door-to-door outreach", "fire", "-40", "2"],
        ["HD4", "YJ0001", "2025-05-24", "drill", "earthquake", "40", "-1"],
    ], header=["event id", "station id", "date", "kind", "discipline", "participants", "hours"]))

    # GBK: a count below zero, no service
    write("desk_services_bad_rows.csv", csv_text([
        ["YJ0001", "2025-05-21 10:00", "短时充电", "3"],
        ["YJ0001", "2025-05-21", "应急药品", "1"],
        ["YJ0001", "2025-05-21 11:00", "紧急咨询", "-1"],
        ["YJ0001", "2025-05-21 12:00", "", "2"],
    ], header=["站点编号", "服务时间", "服务项目", "服务人次"]), "gbk")


if __name__ == "__main__":
    main()
