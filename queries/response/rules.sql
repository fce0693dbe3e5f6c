-- title: 响应时间口径
-- title_en: Response-time rules
-- description: The rules every response-time figure runs on, as loaded from emss/response_rules.toml: when the clock starts per alarm channel (received = 接警时间, dispatched = 派警时间; `default` for channels not listed), the target per incident type, what makes a full first response, the smallest sample worth judging, the target rate (the share of incidents to arrive within the target), and the exception thresholds. `description` says each in Chinese.
-- description_zh: 所有响应时间指标所依据的规则，读自 emss/response_rules.toml：按接警渠道设定的计时起点（received = 接警时间，dispatched = 派警时间；未单列的渠道用 `default`）、按警情类型设定的到场目标、首批力量到齐的标准、值得评判的最小样本、目标到场率（应在到场目标内到场的警情比例）以及异常阈值。`description` 列用中文说明每一项。
-- grain: one row per setting (rule, key)
-- grain_zh: 每项设置（rule、key）一行
select
    rule, key, value,
    case rule
        when 'clock_start' then
            coalesce((select zh from labels where dimension = 'channel' and code = key), '默认（未单列的渠道）')
            || '：计时起点为' || case value when 'dispatched' then '派警时间' else '接警时间' end
        when 'target_s' then
            coalesce((select zh from labels where dimension = 'incident_type' and code = key), '默认（未单列的警情类型）')
            || '：到场目标' || value || '秒'
        when 'full_response' then
            case key when 'measure' then '首批力量按' || case value when 'staff' then '人数' else '车辆数' end || '计'
                     else '首批力量到齐：累计到场达到' || value end
        when 'sample' then '到场少于' || value || '起的分组只作参考'
        when 'target_rate' then '目标到场率：' || case when round(value::double * 100, 4) = round(value::double * 100)
                                          then cast(cast(round(value::double * 100) as bigint) as varchar)
                                          else cast(round(value::double * 100, 4) as varchar) end || '%的警情在到场目标内到场'
        when 'exceptions' then
            case key when 'long_turnout_s' then '出动用时超过' when 'long_travel_s' then '途中用时超过'
                     else '总响应时间超过' end || value || '秒列入跟进清单'
    end as description
from response_rules
order by case rule when 'clock_start' then 1 when 'target_s' then 2 when 'full_response' then 3
                   when 'sample' then 4 else 5 end,
         key = 'default', key
