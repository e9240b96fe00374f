%% The Erlang side of otp-dist's interoperability tests. Each scenario runs on
%% a real Erlang node, talks to the Rust node and reports to {harness, Rust}
%% (or prints its result when the Rust node cannot be reached).
%%
%% The Rust side exposes a counter as `rustproc` that answers: get_count,
%% whoami (its pid), {echo, T}, {sleep, Ms} (replies after Ms); casts {add, N}
%% and {stop, Reason}; the info message {add, N}.
-module(dist_peer).
-behaviour(gen_server).
-export([ping/1, echo/1, serve/1, pid_send/1, calls/1, sys_msgs/1, monitors/1,
         links/1, unlink/1, noproc/1, big/1, idle/1, watch_print/1, visible/1,
         visible_long/1, typed/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, echo_loop/0]).

report(Rust, What) ->
    {harness, Rust} ! {report, node(), What}.

%% Asks the Rust test to start the counter again; waits until it has.
restart(Rust) ->
    {harness, Rust} ! {restart, self()},
    receive restarted -> ok after 10000 -> exit(no_restart) end.

%% 1. net_adm:ping -> pong; the Rust node is hidden.
ping(Rust) ->
    Pong = net_adm:ping(Rust),
    report(Rust, {Pong, lists:member(Rust, nodes(hidden)), lists:member(Rust, nodes())}).

%% 2. {Name, Node} ! Msg gets a reply from the Rust process's pid.
echo(Rust) ->
    {rustproc, Rust} ! {hello, self()},
    receive
        {hi, Pid} when is_pid(Pid), node(Pid) =:= Rust -> report(Rust, {echo, ok})
    after 10000 -> report(Rust, {echo, timeout})
    end.

%% 3. Pid ! Msg reaches the actor.
pid_send(Rust) ->
    Pid = gen_server:call({rustproc, Rust}, whoami),
    Pid ! {add, 5},
    report(Rust, {node(Pid) =:= Rust, gen_server:call(Pid, get_count)}).

%% 4. call/cast by name and by pid, every tag form, timeouts without strays.
calls(Rust) ->
    Name = {rustproc, Rust},
    C0 = gen_server:call(Name, get_count),
    gen_server:cast(Name, {add, 5}),
    Pid = gen_server:call(Name, whoami, infinity),
    gen_server:cast(Pid, {add, 1}),
    C1 = gen_server:call(Pid, get_count, infinity),
    %% A plain Ref tag (pre-OTP-24 callers) and the nested alias form.
    Ref = make_ref(),
    Name ! {'$gen_call', {self(), Ref}, get_count},
    C2 = receive {Ref, V2} -> V2 after 10000 -> timeout end,
    Alias = alias(),
    Tag = [[alias | Alias] | extra],
    Name ! {'$gen_call', {self(), Tag}, get_count},
    C3 = receive {Tag, V3} -> V3 after 10000 -> timeout end,
    unalias(Alias),
    %% A call that times out leaves no late reply behind.
    T = (catch gen_server:call(Name, {sleep, 500}, 50)),
    Timeout = case T of {'EXIT', {timeout, _}} -> timeout; Other -> Other end,
    %% The next call is answered after the slow one: the late reply has come and gone.
    C4 = gen_server:call(Name, get_count),
    Stray = receive Any -> {stray, Any} after 0 -> none end,
    report(Rust, {C0, C1, C2, C3, Timeout, C4, Stray}).

%% 5. sys messages.
sys_msgs(Rust) ->
    Name = {rustproc, Rust},
    gen_server:cast(Name, {add, 7}),
    State = sys:get_state(Name),
    {status, Pid, {module, Mod}, [_, Running | _]} = sys:get_status(Name),
    Suspend = sys:suspend(Name),
    {status, _, _, [_, Suspended | _]} = sys:get_status(Name),
    Resume = sys:resume(Name),
    Count = gen_server:call(Name, get_count),
    report(Rust, {State, node(Pid) =:= Rust, Mod, Running, Suspend, Suspended, Resume, Count}).

%% 6. monitor by pid and by name: DOWN with the real reason; a restart gives a new pid.
monitors(Rust) ->
    Pid = gen_server:call({rustproc, Rust}, whoami),
    Ref = monitor(process, Pid),
    gen_server:cast(Pid, {stop, shutdown_test}),
    R1 = receive {'DOWN', Ref, process, Pid, Why1} -> Why1 after 10000 -> timeout end,
    restart(Rust),
    Pid2 = gen_server:call({rustproc, Rust}, whoami),
    Ref2 = monitor(process, {rustproc, Rust}),
    gen_server:cast({rustproc, Rust}, {stop, by_name}),
    R2 = receive {'DOWN', Ref2, process, {rustproc, Rust}, Why2} -> Why2 after 10000 -> timeout end,
    report(Rust, {R1, R2, Pid =/= Pid2}).

%% 7. link + crash gives EXIT with the reason; exit(Pid, kill) gives killed.
links(Rust) ->
    process_flag(trap_exit, true),
    Pid = gen_server:call({rustproc, Rust}, whoami),
    true = link(Pid),
    gen_server:cast(Pid, {stop, boom}),
    R1 = receive {'EXIT', Pid, Why1} -> Why1 after 10000 -> timeout end,
    restart(Rust),
    Pid2 = gen_server:call({rustproc, Rust}, whoami),
    true = link(Pid2),
    exit(Pid2, kill),
    R2 = receive {'EXIT', Pid2, Why2} -> Why2 after 10000 -> timeout end,
    report(Rust, {R1, R2}).

%% 8. link, unlink, crash: no EXIT.
unlink(Rust) ->
    process_flag(trap_exit, true),
    Pid = gen_server:call({rustproc, Rust}, whoami),
    true = link(Pid),
    true = erlang:unlink(Pid),
    Ref = monitor(process, Pid),
    gen_server:cast(Pid, {stop, boom}),
    R = receive {'DOWN', Ref, process, Pid, Why} -> Why after 10000 -> timeout end,
    %% An EXIT would have come before the DOWN.
    Exit = receive {'EXIT', Pid, E} -> {exit, E} after 0 -> none end,
    report(Rust, {R, Exit}).

%% 9. monitor / call an unknown name: noproc at once.
noproc(Rust) ->
    Ref = monitor(process, {nobody, Rust}),
    D = receive {'DOWN', Ref, process, {nobody, Rust}, Why} -> Why after 10000 -> timeout end,
    C = case catch gen_server:call({nobody, Rust}, hello, 10000) of
            {'EXIT', {noproc, _}} -> noproc;
            Other -> Other
        end,
    report(Rust, {D, C}).

%% 10. an 8 MiB binary round trip.
big(Rust) ->
    B = binary:copy(<<"0123456789abcdef">>, 512 * 1024),
    Back = gen_server:call({rustproc, Rust}, {echo, B}, 30000),
    report(Rust, {byte_size(B), Back =:= B}).

%% 11. an idle connection for more than 2 x net_ticktime stays up.
idle(Rust) ->
    pong = net_adm:ping(Rust),
    monitor_node(Rust, true),
    {ok, Tick} = application:get_env(kernel, net_ticktime),
    R = receive {nodedown, Rust} -> nodedown after (2 * Tick * 1000 + 1000) -> up end,
    report(Rust, {R, gen_server:call({rustproc, Rust}, get_count)}).

%% 12. watch the Rust node and its actor; print what happens when it goes away.
watch_print(Rust) ->
    Pid = gen_server:call({rustproc, Rust}, whoami),
    process_flag(trap_exit, true),
    monitor_node(Rust, true),
    Ref = monitor(process, Pid),
    true = link(Pid),
    report(Rust, watching),
    N = receive {nodedown, Rust} -> nodedown after 30000 -> timeout end,
    D = receive {'DOWN', Ref, process, Pid, Why} -> Why after 10000 -> timeout end,
    E = receive {'EXIT', Pid, Why2} -> Why2 after 10000 -> timeout end,
    io:format("~p~n", [{N, D, E}]).

%% 16. a visible node is in nodes().
visible(Rust) ->
    pong = net_adm:ping(Rust),
    {ok, Tick} = application:get_env(kernel, net_ticktime),
    monitor_node(Rust, true),
    R = receive {nodedown, Rust} -> nodedown after (2 * Tick * 1000 + 1000) -> up end,
    report(Rust, {lists:member(Rust, nodes()), R}).

%% 16, in full: a visible node stays connected through global's sync for
%% more than 60 s, and global keeps working meanwhile.
visible_long(Rust) ->
    pong = net_adm:ping(Rust),
    monitor_node(Rust, true),
    Self = self(),
    spawn(fun() -> Self ! {synced, catch global:sync()} end),
    Deadline = erlang:monotonic_time(millisecond) + 65000,
    R = wait_nodedown(Rust, Deadline),
    Sync = receive {synced, S} -> S after 0 -> not_returned end,
    yes = global:register_name(dist_peer_probe, self()),
    Names = lists:member(dist_peer_probe, global:registered_names()),
    report(Rust, {lists:member(Rust, nodes()), R, Sync, Names}).

wait_nodedown(Rust, Deadline) ->
    Left = Deadline - erlang:monotonic_time(millisecond),
    receive
        {nodedown, Rust} -> nodedown
    after max(Left, 0) -> up
    end.

%% Typed messages: `typed` on the Rust node decodes requests into Rust enums
%% and structs and answers with typed replies; what does not decode is refused
%% without harm.
typed(Rust) ->
    T = {typed, Rust},
    R1 = gen_server:call(T, get_count),
    gen_server:cast(T, {add, 5}),
    T ! {add, 1},
    R2 = gen_server:call(T, get_count),
    R3 = gen_server:call(T, {double, 100000000000000000000}),
    R4 = gen_server:call(T, {rename, <<"bob">>, undefined}),
    R5 = gen_server:call(T, {rename, "alice", <<"bob">>}),
    R6 = gen_server:call(T, {describe, #{x => 1, y => 2.5, tags => [red, blue]}}),
    R7 = gen_server:call(T, {whoami_for, self()}),
    R8 = gen_server:call(T, {add, <<"five">>}),
    gen_server:cast(T, {nonsense, 1, 2, 3}),
    T ! 42,
    R9 = gen_server:call(T, get_count),
    report(Rust, {R1, R2, R3, R4, R5, R6, R7 =:= {you_are, self()}, R8, R9}).

%% For Rust-initiated scenarios: an echo process and a gen_server, then wait.
serve(Rust) ->
    register(echo, spawn(fun echo_loop/0)),
    {ok, _} = gen_server:start({local, erl_counter}, ?MODULE, 0, []),
    report(Rust, {serving, whereis(echo)}).

echo_loop() ->
    receive
        {From, die} when is_pid(From) -> exit(died_on_request);
        %% exit(Pid, Reason) to a (Rust) process, then answer.
        {From, {exit, Pid, Reason}} when is_pid(From) ->
            exit(Pid, Reason), From ! {echoed, exited, node()}, echo_loop();
        %% link to a (Rust) process, then die with Reason.
        {From, {link_and_die, Pid, Reason}} when is_pid(From) ->
            link(Pid), exit(Reason);
        {From, Msg} when is_pid(From) -> From ! {echoed, Msg, node()}, echo_loop();
        _ -> echo_loop()
    end.

init(N) -> {ok, N}.
handle_call(get, _From, N) -> {reply, N, N};
handle_call({add, K}, _From, N) -> {reply, N + K, N + K}.
handle_cast(_, N) -> {noreply, N}.
handle_info(_, N) -> {noreply, N}.
