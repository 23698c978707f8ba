from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "dudao.investment"
    label = "investment"
    verbose_name = "招商引资"

    def ready(self) -> None:
        from dudao.audit.actions import register
        from dudao.investment import receivers  # noqa: F401 - registers the signal receivers

        for code, label in (
            ("deal.create", "登记招商项目"),
            ("deal.update", "修改招商项目"),
            ("deal.advance", "招商项目推进阶段"),
            ("deal.back", "招商项目退回阶段"),
            ("deal.terminate", "招商项目终止"),
            ("deal.screen", "招商项目准入核查"),
            ("deal.override", "准入核查不通过项目特批"),
            ("deal.promote", "招商项目转入重大项目库"),
            ("deal.funds", "报送到位资金"),
            ("deal.funds_verify", "核实到位资金"),
            ("deal.funds_import", "导入到位资金"),
            ("deal.send", "停滞招商项目移交督办"),
            ("deal.send_task", "停滞招商项目移交督查督办任务"),
            ("entry_standard.save", "维护准入门槛"),
            ("three_batch.period", "新建三个一批期次"),
            ("three_batch.entry", "列入三个一批名单"),
            ("chain.node", "新增产业链节点"),
            ("chain.enterprise", "新增产业链企业"),
        ):
            register(code, label)

        from dudao.investment.selectors import stalled_digest_lines
        from dudao.supervision.services import register_digest_source

        register_digest_source("investment.stalled_deals", stalled_digest_lines)
