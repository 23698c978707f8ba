from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "dudao.problems"
    label = "problems"
    verbose_name = "问题台账"

    def ready(self) -> None:
        from dudao.audit.actions import register
        from dudao.problems import receivers  # noqa: F401 - registers the signal receivers

        for code, label in (
            ("problem.create", "登记问题（交办）"),
            ("problem.update", "修改问题"),
            ("problem.import", "导入问题台账"),
            ("problem.evidence", "上传问题佐证材料"),
            ("problem.start", "问题签收并开始整改"),
            ("problem.progress", "报送问题整改进展"),
            ("problem.apply", "问题申请销号"),
            ("problem.verify", "问题开始核查"),
            ("problem.close", "问题核查通过销号"),
            ("problem.return", "问题退回整改"),
            ("problem.reopen", "问题重新打开"),
            ("problem.category_update", "修改问题类别时限"),
            ("problem.lights_recompute", "问题亮灯计算"),
            ("problem.deadline_recompute", "节假日安排录入后重算整改时限"),
            ("problem.light_rule_update", "修改问题亮灯规则"),
        ):
            register(code, label)
