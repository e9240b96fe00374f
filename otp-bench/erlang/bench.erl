%% The otp benchmark scenarios in Erlang/OTP, for the Erlang column.
%% Run by otp-bench as `erl -noshell -eval 'bench:main(Scenario, Size), halt().'`;
%% prints one figure.
-module(bench).
%% Callbacks for both gen_server and supervisor live here; only one behaviour
%% is declared, since both define init/1.
-behaviour(gen_server).

-export([main/2]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

main(Scenario, Size) ->
    logger:set_primary_config(level, none),
    io:format("~p~n", [float(run(Scenario, Size))]),
    %% The spawning scenarios also report the peak RSS, as the Rust side does.
    case lists:member(Scenario, [tree, tree1m, spawn]) of
        true -> io:format("~p~n", [proc_field("status", "VmHWM") / (1024 * 1024)]);
        false -> ok
    end.

rate(Count, Micros) -> Count / (max(Micros, 1) / 1000000).

timed(F) ->
    {Micros, _} = timer:tc(F),
    Micros.

relay(Parent, Peer) ->
    receive
        {peer, P} -> relay(Parent, P);
        0 -> Parent ! done, relay(Parent, Peer);
        K -> Peer ! K - 1, relay(Parent, Peer)
    end.

relays(Count) ->
    Self = self(),
    Pids = [spawn(fun() -> relay(Self, undefined) end) || _ <- lists:seq(1, Count)],
    Next = tl(Pids) ++ [hd(Pids)],
    [P ! {peer, N} || {P, N} <- lists:zip(Pids, Next)],
    Pids.

wait(0) -> ok;
wait(N) -> receive ok -> wait(N - 1) end.

spawn_once(Count) ->
    Self = self(),
    [spawn(fun() -> Self ! ok end) || _ <- lists:seq(1, Count)],
    wait(Count).

%% A node of the spawn tree: ten children, wait for them, tell the parent.
node(Parent, 0) -> Parent ! ok;
node(Parent, Depth) ->
    Self = self(),
    [spawn(fun() -> node(Self, Depth - 1) end) || _ <- lists:seq(1, 10)],
    wait(10),
    Parent ! ok.

tree_size(Depth) -> lists:sum([round(math:pow(10, L)) || L <- lists:seq(0, Depth)]).

%% Receives Count messages tagged wanted while Backlog others wait unread.
selective(Count, Backlog) ->
    [self() ! {backlog, I} || I <- lists:seq(1, Backlog)],
    Self = self(),
    Micros = timed(fun() ->
        spawn(fun() -> [Self ! {wanted, I} || I <- lists:seq(1, Count)] end),
        [receive {wanted, _} -> ok end || _ <- lists:seq(1, Count)]
    end),
    rate(Count, Micros).

proc_field(File, Field) ->
    {ok, Text} = file:read_file("/proc/" ++ os:getpid() ++ "/" ++ File),
    Lines = string:split(binary_to_list(Text), "\n", all),
    case File of
        "statm" ->
            [_, Pages | _] = string:split(hd(Lines), " ", all),
            list_to_integer(Pages) * 4096;
        "status" ->
            [Line] = [L || L <- Lines, lists:prefix(Field, L)],
            [_, Kb | _] = string:lexemes(Line, " \t"),
            list_to_integer(Kb) * 1024
    end.

run(pingpong, N) ->
    [A | _] = relays(2),
    rate(N, timed(fun() -> A ! N * 2, receive done -> ok end end));
run(ring, N) ->
    [A | _] = relays(1000),
    rate(N, timed(fun() -> A ! N, receive done -> ok end end));
run(Tree, Depth) when Tree =:= tree; Tree =:= tree1m ->
    Self = self(),
    rate(tree_size(Depth), timed(fun() ->
        spawn(fun() -> node(Self, Depth) end),
        wait(1)
    end));
run(spawn, N) ->
    rate(N, timed(fun() -> spawn_once(N) end));
run(spawnactor, N) ->
    Self = self(),
    %% The replies go to a collector: queued in the starter's own mailbox, they
    %% would make each gen_server:start's receive of its ack scan them all.
    Collector = spawn(fun() -> wait(N), Self ! ok end),
    rate(N, timed(fun() ->
        [gen_server:cast(element(2, gen_server:start(?MODULE, idle, [])), {reply, Collector})
         || _ <- lists:seq(1, N)],
        wait(1)
    end));
run(idle, N) ->
    Before = proc_field("statm", ""),
    Held = [element(2, gen_server:start(?MODULE, idle, [])) || _ <- lists:seq(1, N)],
    After = proc_field("statm", ""),
    _ = length(Held),
    (After - Before) / N;
run(idleproc, N) ->
    Before = proc_field("statm", ""),
    Held = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    After = proc_field("statm", ""),
    _ = length(Held),
    (After - Before) / N;
run(call, N) ->
    {ok, Server} = gen_server:start_link(?MODULE, server, []),
    Self = self(),
    Each = N div 8,
    Micros = timed(fun() ->
        [spawn_link(fun() ->
             [gen_server:call(Server, get) || _ <- lists:seq(1, Each)],
             Self ! ok
         end) || _ <- lists:seq(1, 8)],
        wait(8)
    end),
    rate(Each * 8, Micros);
run(fanin, Senders) ->
    Total = Senders * 1000,
    Self = self(),
    Sink = spawn(fun() -> sink(Self, Total) end),
    rate(Total, timed(fun() ->
        [spawn(fun() -> [Sink ! cast || _ <- lists:seq(1, 1000)] end) || _ <- lists:seq(1, Senders)],
        receive done -> ok end
    end));
run(restart, N) ->
    process_flag(trap_exit, true),
    {ok, _Sup} = supervisor:start_link(?MODULE, {sup, self()}),
    First = receive {ready, W} -> W end,
    rate(N, timed(fun() -> crash(First, N) end));
run(selective, N) -> selective(N, 10000);
run(selective0, N) -> selective(N, 0).

sink(Parent, 0) -> Parent ! done;
sink(Parent, Left) -> receive cast -> sink(Parent, Left - 1) end.

crash(_, 0) -> ok;
crash(Worker, N) ->
    gen_server:cast(Worker, crash),
    Next = receive {ready, W} -> W end,
    crash(Next, N - 1).

%% gen_server and supervisor callbacks.
init(server) -> {ok, 0};
init(idle) -> {ok, idle};
init({worker, Parent}) -> Parent ! {ready, self()}, {ok, Parent};
init({sup, Parent}) ->
    Child = #{id => worker,
              start => {gen_server, start_link, [?MODULE, {worker, Parent}, []]}},
    {ok, {#{strategy => one_for_one, intensity => 1000000000, period => 1}, [Child]}}.

handle_call(get, _From, N) -> {reply, N, N + 1}.
handle_cast(crash, _State) -> exit(crash);
handle_cast({reply, To}, State) -> To ! ok, {stop, normal, State}.
handle_info(_, State) -> {noreply, State}.
