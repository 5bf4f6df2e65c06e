# SPDX-License-Identifier: MIT
# bash completion for lectern(1): subcommands, their options, and ids read from the replica
# through `lectern __complete ids KIND` (no network; silent when nobody is signed in).
# Installed by `meson install` into bash-completion's completions folder.

_lectern_ids() {
	local kind cword="$1"
	shift
	local IFS=$'\n'
	for kind in "$@"; do
		COMPREPLY+=($(compgen -W "$(lectern "${_lectern_global[@]}" __complete ids "$kind" \
			2>/dev/null | cut -f1)" -- "$cword"))
	done
}

_lectern() {
	local cur prev cmd i
	local -a _lectern_global=()
	COMPREPLY=()
	cur="${COMP_WORDS[COMP_CWORD]}"
	prev="${COMP_WORDS[COMP_CWORD - 1]}"
	# The global options before the subcommand; --data-dir and --server reach the replica.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--server | --data-dir | --config)
			_lectern_global+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			i=$((i + 1))
			;;
		--server=* | --data-dir=* | --config=* | --kiosk*) _lectern_global+=("${COMP_WORDS[i]}") ;;
		-*) ;;
		*)
			cmd="${COMP_WORDS[i]}"
			break
			;;
		esac
	done
	case "$prev" in
	--data-dir | --config | --description-file | --from)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--server | --title | --code | --department | --keywords | --pass-score | --due | \
		--points | --url | --max-attempts | --search)
		return
		;;
	--kind)
		COMPREPLY=($(compgen -W "page link quiz assignment" -- "$cur"))
		return
		;;
	--before | --after)
		_lectern_ids "$cur" module item question
		return
		;;
	--to)
		_lectern_ids "$cur" module
		return
		;;
	esac
	if [ -z "$cmd" ]; then
		if [[ "$cur" == -* ]]; then
			COMPREPLY=($(compgen -W "--server --data-dir --kiosk --config --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(lectern __complete commands 2>/dev/null)" -- "$cur"))
		fi
		return
	fi
	if [[ "$cur" == -* ]]; then
		local opts="--help"
		case "$cmd" in
		login) opts+=" --keep-waiting --discard-waiting" ;;
		logout) opts+=" --discard-waiting" ;;
		sync) opts+=" --verify" ;;
		courses) opts+=" --search" ;;
		post) opts+=" --title" ;;
		issues) opts+=" --marked" ;;
		course) opts+=" --code --department --description-file --keywords --certification --no-certification --pass-score --title --from" ;;
		item) opts+=" --kind --due --points --url --optional --required --max-attempts --title" ;;
		move) opts+=" --before --after --to" ;;
		rm) opts+=" --yes" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case "$cmd" in
	help) COMPREPLY=($(compgen -W "$(lectern __complete commands 2>/dev/null)" -- "$cur")) ;;
	enroll | post | ls) _lectern_ids "$cur" course ;;
	complete) _lectern_ids "$cur" item ;;
	reply) _lectern_ids "$cur" topic ;;
	edit) _lectern_ids "$cur" item topic reply ;;
	rm) _lectern_ids "$cur" course module item question topic reply ;;
	move) _lectern_ids "$cur" module item question ;;
	issues)
		[ "$prev" = issues ] &&
			COMPREPLY=($(compgen -W "show retry discard keep-mine keep-theirs merge" -- "$cur"))
		;;
	course | module | item | question)
		if [ "$prev" = "$cmd" ]; then
			case "$cmd" in
			course) COMPREPLY=($(compgen -W "new edit publish unpublish archive unarchive checkout status diff push pull" -- "$cur")) ;;
			module) COMPREPLY=($(compgen -W "add rename" -- "$cur")) ;;
			item) COMPREPLY=($(compgen -W "add edit" -- "$cur")) ;;
			question) COMPREPLY=($(compgen -W "add" -- "$cur")) ;;
			esac
		else
			case "$cmd $prev" in
			"course new") ;;
			"course checkout" | "course "*publish | "course "*archive | "course edit" | "module add")
				_lectern_ids "$cur" course ;;
			"course status" | "course diff" | "course push" | "course pull")
				COMPREPLY=($(compgen -d -- "$cur")) ;;
			"module rename" | "item add") _lectern_ids "$cur" module ;;
			"item edit" | "question add") _lectern_ids "$cur" item ;;
			esac
		fi
		;;
	esac
}
complete -F _lectern lectern
