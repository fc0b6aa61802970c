"""crm_core: the customer-response model, stored in SQLite, usable without Streamlit.

    from crm_core import connect, portfolio, log_response
    with connect() as db:          # $CRM_DB, else data/demo.db
        table = portfolio(db)
"""

from . import accounts
from .accounts import AccessDenied, User, accounts_exist, add_user, authenticate
from .roles import resolve_author
from .catalogue import (CHECKLIST, CHECKLIST_LABELS, MODE_COLOURS, MODE_LABELS, MODES, OPINION_LABELS, OPINION_RANGE,
                        OPINION_SOURCES, STAGE_COLOURS, STAGE_LABELS, STAGES)
from .reads import (Journey, change_log, checklist_coverage, checklist_items, customer_names, filter_values,
                    has_customers, journey, last_mode, opinion_trend, portfolio, quality_by_stage_mode, score_history)
from .storage import (ACCOUNTS, CUSTOMERS, EVERYTHING, OPINIONS, OUTCOMES, PORTFOLIO, SAVED_VIEWS, SERVICE, SETTINGS,
                      StorageError, change_count, change_versions, connect, customer_scope, database_location,
                      stage_scope)
from .validation import ValidationError
from .writes import (add_customer, delete_opinion, delete_response, history, log_response, move_stage,
                     rebuild_summaries, record_opinion, update_customer, update_opinion,
                     undo, update_response)
from . import backup, checklist, importer
from .importer import TableError, export_count, export_csv, export_table, read_table, suggest_mapping
from .gaps import ChecklistGaps, checklist_gaps
from .trends import biggest_movers, period_start, self_assessment_trend
from .quality import default_since, quality_by_mode, quality_trend, weakest_responses
from .risk import Overview, at_risk, overview
from .customers import customer_list, find_customers, suggested_customers
from .service import (PRIORITIES, ServicePortfolio, case_clocks, log_case_event, open_case, open_cases,
                      service_portfolio, service_targets, set_service_target)
from .followups import (close_follow_up, create_follow_up, customers_with_overdue_follow_ups, follow_up_list,
                        my_follow_ups, update_follow_up)
from .promises import promise_count, promise_list, promise_record, record_promise, resolve_promise
from .outcomes import acquisition_returns, outcome_list, outcomes_by_opinion, record_outcome
from .analysis import (METHOD as DRIVERS_METHOD, MIN_CUSTOMERS, OpinionDrivers, next_best_of, next_best_responses,
                       opinion_drivers)
