"""The words of the demo year: what reporters write, what units and inspectors answer, who
calls. All invented; a few templates per common category, a generic one for the rest."""

from __future__ import annotations

import random

# What is seen, by category code (event unless a component code is prefixed with "c").
SEEN: dict[str, tuple[str, ...]] = {
    "04-01": (
        "流动摊贩沿街摆卖水果",
        "三轮车流动售卖小吃",
        "无照游商在人行道摆卖小商品",
        "路口有流动摊点叫卖",
    ),
    "04-06": (
        "占用人行道摆摊经营",
        "在公交站旁设摊卖早餐",
        "占道摆卖衣物、日用品",
        "地铁口附近占道摆卖",
    ),
    "04-04": ("占道收购废品，堆放纸皮", "废品收购车占用路面"),
    "04-02": ("夜市摊档超出划定范围经营", "夜市收市后垃圾未清理"),
    "04-91": ("早餐车未在指定点位经营", "早餐车占用盲道"),
    "02-01": (
        "电线杆上张贴小广告",
        "墙面喷涂办证小广告",
        "楼道口张贴疏通下水道广告",
        "公交站牌上粘贴小广告",
    ),
    "02-02": ("街头派发传单", "路口有人散发楼盘广告", "地铁口派发健身卡广告"),
    "02-07": ("未经批准悬挂横幅", "沿街悬挂促销标语"),
    "04-05": (
        "店外摆放货架、商品占用人行道",
        "店铺超出门线经营",
        "门口摆放桌椅经营",
        "店外摆放冰柜售卖饮料",
    ),
    "04-95": ("店门口占道搞促销，摆放音响", "占用人行道派发促销礼品"),
    "01-36": (
        "人行道上堆放杂物",
        "店门口堆放纸箱、泡沫箱",
        "楼下空地堆放建材",
        "绿化带旁堆放旧家具和杂物",
    ),
    "01-35": ("路边丢弃旧沙发、床垫", "垃圾点旁堆放废弃家具"),
    "01-10": ("路边有暴露垃圾", "垃圾桶外散落生活垃圾", "绿化带内有成堆垃圾"),
    "01-12": ("路面有大量落叶和垃圾", "人行道脏污未清扫", "路面有油污"),
    "01-92": ("垃圾桶满溢", "垃圾收集点垃圾满溢未清运"),
    "01-70": ("居民混投生活垃圾", "在非投放时段投放垃圾", "大件垃圾投入生活垃圾桶"),
    "01-93": ("小区垃圾分类投放点未分类", "收集容器混装"),
    "04-93": ("共享单车乱停放占用人行道", "共享单车堆积阻塞地铁口", "共享单车停放在盲道上"),
    "04-10": ("电动车乱停放占用人行道", "非机动车堵塞消防通道"),
    "01-28": ("商铺音响噪音扰民", "夜间营业场所噪音大"),
    "01-29": ("夜间露天烧烤，油烟扰民", "占道露天烧烤"),
    "03-01": ("夜间施工噪音扰民", "工地超时施工"),
    "01-13": ("人行道地砖破损", "路面出现坑洼"),
    "05-06": ("暴雨后路面积水", "下穿通道积水"),
    "c01-37": ("路灯不亮", "路灯灯杆倾斜", "路灯白天常亮"),
    "c01-02": ("污水井盖破损", "污水井盖缺失"),
    "c01-03": ("雨水井盖松动有响声", "雨水井盖破损"),
    "c01-04": ("雨水箅子堵塞", "雨水箅子缺失"),
    "c03-05": ("果皮箱破损", "垃圾桶缺盖"),
    "c02-84": ("人行道板松动", "人行道塌陷"),
    "c02-17": ("交通护栏倾倒", "护栏缺失"),
}

SOURCE_OPENING = {
    "hotline": "市民来电反映：",
    "citizen": "",
    "open311": "",
    "ai_camera": "AI视频识别告警：",
    "iot_sensor": "物联感知设备告警：",
    "entity_self_report": "责任单位自报：",
    "leader": "领导交办：",
    "inspector": "",
}

FEEDBACK = {
    "street": ("已现场劝离，恢复通行", "已责令当事人整改，现场已恢复", "已依法查处并清理现场"),
    "clean": ("已清理完毕", "已安排保洁人员清运", "已清扫干净"),
    "repair": ("已修复", "已更换，恢复正常使用", "已设置警示并完成修复"),
    "default": ("已处理完毕", "已按要求整改到位", "已现场处置"),
}
ASSIST = ("已配合现场处置", "已派员到场协助", "已完成本单位负责部分")
REWORK = ("现场仍未整改到位", "核查发现问题反弹", "清理不彻底")
RETURN = ("不属于本单位职责，请改派", "非本单位辖区，请改派", "该设施权属不在本单位")
WRONG_DISPATCH = "按上报位置派遣"
EXTENSION = ("需协调产权单位，申请延期", "需采购材料，申请延期", "涉及多方协调，申请延期处理")
SUSPENSION = ("涉及规划调整，短期内无法解决", "需纳入年度改造计划", "产权纠纷未解决")
CANCEL = ("重复立案", "不符合立案条件", "经核实不属于城市管理范围")
URGE = ("请尽快处置", "已超期，请加快办理", "市民反映强烈，请优先处理")
REFUTE = ("现场未发现该问题", "到场核实，问题已不存在")
REJECT = {
    "out_of_scope": "不属于城市管理范围",
    "duplicate": "重复上报",
    "not_enough_information": "信息不全，无法定位",
}
EVALUATION = {
    5: ("处理及时，非常满意", "满意", "效率很高"),
    4: ("基本满意", "处理得还可以"),
    3: ("一般", "处理偏慢"),
    2: ("处理太慢", "不太满意"),
    1: ("问题没有解决", "不满意"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志鹏晓红海燕俊峰"


def description(
    rng: random.Random, key: str, kind: str, name: str, source: str, address: str
) -> str:
    """A report's text: the source's opening, the place, what is seen."""
    seen = SEEN.get(key if kind == "event" else f"c{key}")
    what = rng.choice(seen) if seen else f"发现{name}问题"
    return f"{SOURCE_OPENING.get(source, '')}{address}，{what}。"


def feedback(rng: random.Random, group: str, kind: str, sources: str) -> str:
    if group in ("乱摆卖", "超门线经营", "三乱") or sources == "street":
        return rng.choice(FEEDBACK["street"])
    if kind == "component" or sources == "facility":
        return rng.choice(FEEDBACK["repair"])
    if sources in ("sanitation", "bins", "sorting") or group == "乱堆放":
        return rng.choice(FEEDBACK["clean"])
    return rng.choice(FEEDBACK["default"])


def person(rng: random.Random) -> tuple[str, str]:
    """A caller's name and mobile number."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    phone = rng.choice(("138", "139", "135", "136", "137", "150", "158", "186", "189", "133"))
    return name, phone + "".join(str(rng.randrange(10)) for _ in range(8))
