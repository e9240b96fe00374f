%% The distribution rows in Erlang/OTP: a server node and a client node, each a
%% separate `erl`, as the Rust rows are separate OS processes.
%%   serve():              registers `echo` (answers {From, N} with N) and the
%%                         gen_server `calls` (replies with the request), then waits.
%%   client(ping, Node, N): N round trips {echo, Node} ! {self(), I}, one in flight.
%%   client(calls, Node, N): 8 client processes share N gen_server:call({calls, Node}, I).
%% The client prints one figure (per second) and halts.
-module(bench_dist).
-behaviour(gen_server).

-export([serve/0, client/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(CLIENTS, 8).

serve() ->
    logger:set_primary_config(level, none),
    register(echo, spawn(fun echo/0)),
    {ok, _} = gen_server:start({local, calls}, ?MODULE, [], []),
    io:format("ready~n"),
    receive stop -> ok end.

echo() ->
    receive
        {From, N} -> From ! N, echo()
    end.

client(Scenario, Node, N) ->
    logger:set_primary_config(level, none),
    true = net_kernel:connect_node(Node),
    %% Warm up the connection and the far side.
    run(Scenario, Node, 1000),
    Start = erlang:monotonic_time(microsecond),
    run(Scenario, Node, N),
    Micros = max(erlang:monotonic_time(microsecond) - Start, 1),
    io:format("~p~n", [N / (Micros / 1000000)]).

run(ping, Node, N) -> ping(Node, N);
run(calls, Node, N) ->
    Self = self(),
    Each = N div ?CLIENTS,
    [spawn_link(fun() -> call_loop(Node, Each), Self ! done end)
     || _ <- lists:seq(1, ?CLIENTS)],
    [receive done -> ok end || _ <- lists:seq(1, ?CLIENTS)],
    ok.

ping(_Node, 0) -> ok;
ping(Node, K) ->
    {echo, Node} ! {self(), K},
    receive K -> ping(Node, K - 1) end.

call_loop(_Node, 0) -> ok;
call_loop(Node, K) ->
    K = gen_server:call({calls, Node}, K),
    call_loop(Node, K - 1).

init([]) -> {ok, []}.
handle_call(Request, _From, State) -> {reply, Request, State}.
handle_cast(_, State) -> {noreply, State}.
handle_info(_, State) -> {noreply, State}.
