from django.apps import AppConfig

ACTIONS = {
    "evaluation.regime_create": "新建考评体系",
    "evaluation.regime_update": "修改考评体系",
    "evaluation.dimension_save": "保存考评维度",
    "evaluation.dimension_delete": "删除考评维度",
    "evaluation.indicator_save": "保存考评指标",
    "evaluation.indicator_delete": "删除考评指标",
    "evaluation.gate_save": "保存一票否决事项",
    "evaluation.gate_delete": "删除一票否决事项",
    "evaluation.star_rule_save": "保存星级条件",
    "evaluation.star_rule_delete": "删除星级条件",
    "evaluation.inputs_set": "录入考评原始数据",
    "evaluation.compute": "计算考评结果",
    "evaluation.publish": "导入省级公布的考评结果",
    "evaluation.result_set_delete": "删除考评结果",
    "evaluation.titles_import": "导入考评称号",
    "evaluation.stars_import": "导入星级授予",
}


class EvaluationConfig(AppConfig):
    name = "dudao.evaluation"
    label = "evaluation"
    verbose_name = "省级考评"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in ACTIONS.items():
            register(code, label)
